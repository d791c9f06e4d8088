import type { Migration } from "@platform/db";
import * as products from "./0001-products.js";
import * as outbox from "./0002-outbox.js";
import * as archive from "./0003-archive.js";
import * as category from "./0004-category.js";
import * as outboxTraceparent from "./0005-outbox-traceparent.js";

/** Every migration of the inventory service, in order. */
export const migrations: Record<string, Migration> = {
  "0001-products": products,
  "0002-outbox": outbox,
  "0003-archive": archive,
  "0004-category": category,
  "0005-outbox-traceparent": outboxTraceparent,
};
