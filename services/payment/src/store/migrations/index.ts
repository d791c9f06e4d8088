import type { Migration } from "@platform/db";
import * as payments from "./0001-payments.js";
import * as callOffOwed from "./0002-call-off-owed.js";

/** Every migration of the payment service, in order. */
export const migrations: Record<string, Migration> = {
  "0001-payments": payments,
  "0002-call-off-owed": callOffOwed,
};
