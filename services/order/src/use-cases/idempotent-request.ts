/**
 * Idempotency-Key handling for POST /orders (ARCHITECTURE §2):
 * - the first request with a key claims it (with the order id it will create) and stores its
 *   answer once it has one; 4xx answers are final and stored too;
 * - the same key with the same body gets that answer again, marked as replayed;
 * - the same key with another body is 422 IDEMPOTENCY_KEY_REUSED;
 * - a request that arrives while the first is still running waits (bounded) for its answer, then
 *   is 409 IDEMPOTENCY_KEY_IN_PROGRESS with Retry-After;
 * - a failure that may pass (5xx) ends the key's lease at once, so the client can retry with it
 *   straight away — with the same order id: the Reserve may have gone through with only its answer
 *   lost (a deadline), and under the same id a retry finds that reservation instead of holding the
 *   stock twice (only while the failing request's own lease holds the key: one that stalled past
 *   it may have been taken over);
 * - a claim whose holder died (its lease ran out) is taken over, with the same order id, so the
 *   reservation made before the crash is found again rather than made twice.
 */
import { AppError } from "@platform/errors";
import { problem } from "@platform/http";
import { claimKey, completeKey, endLease, readKey, takeOverKey } from "../store/idempotency.store.js";
import { findOrder, type OrderDb } from "../store/order.store.js";

export interface Answer {
  status: number;
  body: unknown;
  /** The answer was stored with the key already (in the statement that did the work). */
  recorded?: boolean;
}

export interface IdempotencyOptions {
  userId: string;
  key: string;
  /** Hash of the request body: the same key must come with the same body. */
  requestHash: string;
  requestId: string;
  /** How long a claim holds before another request may take it over. */
  leaseMs: number;
  /** How long a concurrent request waits for the first one's answer. */
  waitMs: number;
}

export async function idempotent(
  db: OrderDb,
  options: IdempotencyOptions,
  run: (orderId: string) => Promise<Answer>,
): Promise<Answer & { replayed: boolean }> {
  const { userId, key, requestHash, leaseMs } = options;
  const orderId = Bun.randomUUIDv7();
  const lease = await claimKey(db, { userId, key, requestHash, orderId, leaseMs });
  if (lease) return { ...(await runAndRecord(db, options, { orderId, lease }, run)), replayed: false };
  const deadline = Date.now() + options.waitMs;
  while (Date.now() < deadline) {
    const record = await readKey(db, userId, key);
    if (!record) {
      // Pruned meanwhile (its claim long expired): claim it afresh.
      const lease = await claimKey(db, { userId, key, requestHash, orderId, leaseMs });
      if (lease) return { ...(await runAndRecord(db, options, { orderId, lease }, run)), replayed: false };
      continue;
    }
    if (record.requestHash !== requestHash) {
      throw new AppError(
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was used with a different request body.",
      );
    }
    if (record.state === "done") {
      return { status: record.responseStatus ?? 200, body: record.responseBody, replayed: true };
    }
    if (record.lockedUntil.getTime() < Date.now()) {
      const lease = await takeOverKey(db, { userId, key, expiredLease: record.lockedUntil, leaseMs });
      if (lease) {
        const claim = { orderId: record.orderId, lease };
        return { ...(await runAndRecord(db, options, claim, run)), replayed: false };
      }
      continue;
    }
    await Bun.sleep(50);
  }
  throw new AppError(
    "IDEMPOTENCY_KEY_IN_PROGRESS",
    "A request with this Idempotency-Key is still in progress; retry shortly.",
    {},
    { "retry-after": "1" },
  );
}

async function runAndRecord(
  db: OrderDb,
  { userId, key, requestId }: IdempotencyOptions,
  { orderId, lease }: { orderId: string; lease: Date },
  run: (orderId: string) => Promise<Answer>,
): Promise<Answer> {
  let answer: Answer;
  try {
    answer = await run(orderId);
  } catch (error) {
    if (!(error instanceof AppError) || error.status >= 500) {
      // A failure that may pass: a retry takes the claim over, with this same order id, and finds
      // whatever was reserved or stored. At once when nothing was stored; when that cannot be told
      // (Postgres away), once the lease ends.
      if (!(await orderStored(db, orderId).catch(() => true)))
        await endLease(db, userId, key, lease).catch(() => {});
      throw error;
    }
    // A final answer about this request (no stock, unknown SKU): the same request gets it again.
    answer = {
      status: error.status,
      body: problem(error.code, error.message, requestId, error.extensions),
    };
  }
  if (!answer.recorded)
    await completeKey(db, { userId, key, lease, status: answer.status, body: answer.body });
  return answer;
}

const orderStored = async (db: OrderDb, orderId: string) => (await findOrder(db, orderId)) !== undefined;
