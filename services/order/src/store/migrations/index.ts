import type { Migration } from "@platform/db";
import * as orders from "./0001-orders.js";
import * as orderOwner from "./0002-order-owner.js";

/** Every migration of the order service, in order. */
export const migrations: Record<string, Migration> = {
  "0001-orders": orders,
  "0002-order-owner": orderOwner,
};
