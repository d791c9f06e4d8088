import type { Migration } from "@platform/db";
import * as orders from "./0001-orders.js";
import * as orderOwner from "./0002-order-owner.js";
import * as ownerContact from "./0003-owner-contact.js";
import * as outboxTraceparent from "./0004-outbox-traceparent.js";
import * as pendingPayment from "./0005-pending-payment.js";
import * as vacuumOften from "./0006-vacuum-often.js";
import * as quietAutovacuum from "./0007-quiet-autovacuum.js";
import * as returnCommitted from "./0008-return-committed.js";
import * as idempotencyKeyAge from "./0009-idempotency-key-age.js";

/** Every migration of the order service, in order. */
export const migrations: Record<string, Migration> = {
  "0001-orders": orders,
  "0002-order-owner": orderOwner,
  "0003-owner-contact": ownerContact,
  "0004-outbox-traceparent": outboxTraceparent,
  "0005-pending-payment": pendingPayment,
  "0006-vacuum-often": vacuumOften,
  "0007-quiet-autovacuum": quietAutovacuum,
  "0008-return-committed": returnCommitted,
  "0009-idempotency-key-age": idempotencyKeyAge,
};
