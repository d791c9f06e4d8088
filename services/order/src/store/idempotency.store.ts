/**
 * Idempotency keys: per user, the request's hash, the order id it creates, and once done the
 * answer to give again. A row in progress holds a lease; one whose holder died can be taken over.
 */
import { sql } from "kysely";
import type { OrderDb } from "./order.store.js";

export interface IdempotencyRecord {
  requestHash: string;
  orderId: string;
  state: "in_progress" | "done";
  lockedUntil: Date;
  responseStatus: number | null;
  responseBody: unknown;
}

/** Claims the key for this request; false when another request has it already. */
export async function claimKey(
  db: OrderDb,
  row: { userId: string; key: string; requestHash: string; orderId: string; leaseMs: number },
): Promise<boolean> {
  const inserted = await db
    .insertInto("idempotencyKey")
    .values({
      userId: row.userId,
      key: row.key,
      requestHash: row.requestHash,
      orderId: row.orderId,
      state: "in_progress",
      lockedUntil: new Date(Date.now() + row.leaseMs),
      responseStatus: null,
      responseBody: null,
    })
    .onConflict((oc) => oc.columns(["userId", "key"]).doNothing())
    .returning("orderId")
    .executeTakeFirst();
  return inserted !== undefined;
}

export function readKey(db: OrderDb, userId: string, key: string): Promise<IdempotencyRecord | undefined> {
  return db
    .selectFrom("idempotencyKey")
    .select(["requestHash", "orderId", "state", "lockedUntil", "responseStatus", "responseBody"])
    .where("userId", "=", userId)
    .where("key", "=", key)
    .executeTakeFirst();
}

/** Takes over a key whose holder's lease ran out; false if someone else did first. */
export async function takeOverKey(
  db: OrderDb,
  {
    userId,
    key,
    expiredLease,
    leaseMs,
  }: { userId: string; key: string; expiredLease: Date; leaseMs: number },
): Promise<boolean> {
  const result = await db
    .updateTable("idempotencyKey")
    .set({ lockedUntil: new Date(Date.now() + leaseMs) })
    .where("userId", "=", userId)
    .where("key", "=", key)
    .where("state", "=", "in_progress")
    .where("lockedUntil", "=", expiredLease)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function completeKey(
  db: OrderDb,
  { userId, key, status, body }: { userId: string; key: string; status: number; body: unknown },
): Promise<void> {
  await db
    .updateTable("idempotencyKey")
    .set({ state: "done", responseStatus: status, responseBody: JSON.stringify(body) })
    .where("userId", "=", userId)
    .where("key", "=", key)
    .execute();
}

/** Forgets a key whose request failed for a passing reason, so the client can retry with it. */
export async function releaseKey(db: OrderDb, userId: string, key: string): Promise<void> {
  await db.deleteFrom("idempotencyKey").where("userId", "=", userId).where("key", "=", key).execute();
}

export async function pruneKeys(db: OrderDb, before: Date): Promise<number> {
  const result = await db
    .deleteFrom("idempotencyKey")
    .where("createdAt", "<", before)
    .where(sql<boolean>`state = 'done' or locked_until < now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
