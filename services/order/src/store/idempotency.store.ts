/**
 * Idempotency keys: per user, the request's hash, the order id it creates, and once done the
 * answer to give again. A row in progress holds a lease; one whose holder died can be taken over.
 */
import { deleteInBatches } from "@platform/db";
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

/**
 * Claims the key for this request: the claim's lease (its end, which names this holder), or
 * undefined when another request has the key already.
 */
export async function claimKey(
  db: OrderDb,
  row: { userId: string; key: string; requestHash: string; orderId: string; leaseMs: number },
): Promise<Date | undefined> {
  const lease = new Date(Date.now() + row.leaseMs);
  const inserted = await db
    .insertInto("idempotencyKey")
    .values({
      userId: row.userId,
      key: row.key,
      requestHash: row.requestHash,
      orderId: row.orderId,
      state: "in_progress",
      lockedUntil: lease,
      responseStatus: null,
      responseBody: null,
    })
    .onConflict((oc) => oc.columns(["userId", "key"]).doNothing())
    .returning("orderId")
    .executeTakeFirst();
  return inserted && lease;
}

export function readKey(db: OrderDb, userId: string, key: string): Promise<IdempotencyRecord | undefined> {
  return db
    .selectFrom("idempotencyKey")
    .select(["requestHash", "orderId", "state", "lockedUntil", "responseStatus", "responseBody"])
    .where("userId", "=", userId)
    .where("key", "=", key)
    .executeTakeFirst();
}

/** Takes over a key whose holder's lease ran out: the new lease, or undefined if someone else did first. */
export async function takeOverKey(
  db: OrderDb,
  {
    userId,
    key,
    expiredLease,
    leaseMs,
  }: { userId: string; key: string; expiredLease: Date; leaseMs: number },
): Promise<Date | undefined> {
  const lease = new Date(Date.now() + leaseMs);
  const result = await db
    .updateTable("idempotencyKey")
    .set({ lockedUntil: lease })
    .where("userId", "=", userId)
    .where("key", "=", key)
    .where("state", "=", "in_progress")
    .where("lockedUntil", "=", expiredLease)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? lease : undefined;
}

/** Stores the answer, if `lease` (the holder's) still holds the key: a successor's answer stands. */
export async function completeKey(
  db: OrderDb,
  {
    userId,
    key,
    lease,
    status,
    body,
  }: { userId: string; key: string; lease: Date; status: number; body: unknown },
): Promise<void> {
  await db
    .updateTable("idempotencyKey")
    .set({ state: "done", responseStatus: status, responseBody: JSON.stringify(body) })
    .where("userId", "=", userId)
    .where("key", "=", key)
    .where("state", "=", "in_progress")
    .where("lockedUntil", "=", lease)
    .execute();
}

/**
 * Ends the lease of a key whose request failed for a passing reason, so a retry takes it over at
 * once (with its order id); only while `lease` (the holder's) holds it: a holder that stalled past
 * its lease may have been taken over, and the request that took over is placing the same order now.
 */
export async function endLease(db: OrderDb, userId: string, key: string, lease: Date): Promise<void> {
  await db
    .updateTable("idempotencyKey")
    .set({ lockedUntil: new Date(Date.now() - 1) })
    .where("userId", "=", userId)
    .where("key", "=", key)
    .where("state", "=", "in_progress")
    .where("lockedUntil", "=", lease)
    .execute();
}

/** Deletes keys created before the cutoff that are done or whose claim ran out, in bounded batches. */
export function pruneKeys(db: OrderDb, before: Date): Promise<number> {
  return deleteInBatches(async (limit) => {
    // The table's key is (user, key); a batch is picked by created_at's index and deleted by ctid.
    const result = await sql`
      delete from idempotency_key
      where ctid = any(array(
        select ctid from idempotency_key
        where created_at < ${before} and (state = 'done' or locked_until < now())
        order by created_at
        limit ${limit}))`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  });
}
