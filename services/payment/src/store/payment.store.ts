/** Payments, their attempts, refunds and applied webhooks in Postgres: plain functions taking db or a transaction. */
import type { Kysely, Selectable } from "kysely";
import type {
  Attempt,
  AttemptOutcome,
  Payment,
  PaymentStatus,
  Refund,
  RefundStatus,
} from "../domain/payment.js";
import type { PaymentDatabase, PaymentTable, RefundTable } from "./payment.table.js";

export type PaymentDb = Kysely<PaymentDatabase>;

/** A payment row as the domain has it: every column but the request id it was made by. */
const toPayment = ({ requestId: _requestId, ...payment }: Selectable<PaymentTable>): Payment => payment;

const toRefund = (row: Selectable<RefundTable>): Refund => ({
  id: row.id,
  amountCents: row.amountCents,
  reason: row.reason,
  status: row.status,
  reference: row.reference,
  requestId: row.requestId,
  createdAt: row.createdAt,
});

/**
 * A new payment, or undefined when the order has one already (the unique order id). PENDING for a
 * payment someone starts; CANCELLED for a stand-in: the order was cancelled before anyone started
 * paying it, and a payment started a moment later finds the stand-in (and the order gone) instead of
 * taking money for a cancelled order.
 */
export async function insertPayment(
  db: PaymentDb,
  payment: Pick<Payment, "id" | "orderId" | "userId" | "provider" | "amountCents" | "currency" | "owner"> & {
    requestId: string;
  },
  status: "PENDING" | "CANCELLED" = "PENDING",
): Promise<Payment | undefined> {
  const row = await db
    .insertInto("payment")
    .values({
      ...payment,
      owner: JSON.stringify(payment.owner),
      status,
      orderCancelled: status === "CANCELLED",
      reference: null,
      clientSecret: null,
    })
    .onConflict((oc) => oc.column("orderId").doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && toPayment(row);
}

export async function findPayment(db: PaymentDb, id: string): Promise<Payment | undefined> {
  const row = await db.selectFrom("payment").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toPayment(row);
}

export async function findPaymentOfOrder(db: PaymentDb, orderId: string): Promise<Payment | undefined> {
  const row = await db.selectFrom("payment").selectAll().where("orderId", "=", orderId).executeTakeFirst();
  return row && toPayment(row);
}

/** The payment, locked for the caller's transaction: webhooks, refunds and cancellations of one payment queue up. */
export async function lockPayment(
  db: PaymentDb,
  by: { id: string } | { orderId: string },
): Promise<Payment | undefined> {
  const select = db.selectFrom("payment").selectAll().forUpdate();
  const row = await ("id" in by
    ? select.where("id", "=", by.id)
    : select.where("orderId", "=", by.orderId)
  ).executeTakeFirst();
  return row && toPayment(row);
}

export async function updatePayment(
  db: PaymentDb,
  id: string,
  changes: Partial<
    Pick<
      Payment,
      | "status"
      | "failedAttempts"
      | "refundedCents"
      | "orderCancelled"
      | "callOffOwed"
      | "reference"
      | "clientSecret"
    >
  >,
): Promise<Payment> {
  const row = await db
    .updateTable("payment")
    .set({ ...changes, updatedAt: new Date() })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPayment(row);
}

/** Records a webhook as applied; false when it was already (a second delivery). */
export async function claimProviderEvent(
  db: PaymentDb,
  event: { provider: string; eventId: string; paymentId: string },
): Promise<boolean> {
  const inserted = await db
    .insertInto("providerEvent")
    .values(event)
    .onConflict((oc) => oc.columns(["provider", "eventId"]).doNothing())
    .returning("eventId")
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function insertAttempt(
  db: PaymentDb,
  attempt: { paymentId: string; outcome: AttemptOutcome; message: string | null; providerEventId: string },
): Promise<void> {
  await db.insertInto("paymentAttempt").values(attempt).execute();
}

export async function insertRefund(
  db: PaymentDb,
  refund: { id: string; paymentId: string; amountCents: number; reason: string; requestId: string },
): Promise<Refund> {
  const row = await db
    .insertInto("refund")
    .values({ ...refund, status: "PENDING", reference: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRefund(row);
}

/** The payment's refund still waiting for the provider's answer, if any. */
export async function pendingRefund(db: PaymentDb, paymentId: string): Promise<Refund | undefined> {
  const row = await db
    .selectFrom("refund")
    .selectAll()
    .where("paymentId", "=", paymentId)
    .where("status", "=", "PENDING")
    .executeTakeFirst();
  return row && toRefund(row);
}

/**
 * The provider's answer to a refund (still PENDING: its reference kept for asking again). Only a
 * refund still PENDING takes it: a "pending" answer that arrives after another caller settled the
 * refund must not reopen it, or it would be settled — counted and announced — a second time.
 */
export async function settleRefund(
  db: PaymentDb,
  id: string,
  { status, reference }: { status: RefundStatus; reference: string | null },
): Promise<void> {
  await db
    .updateTable("refund")
    .set({ status, reference, updatedAt: new Date() })
    .where("id", "=", id)
    .where("status", "=", "PENDING")
    .execute();
}

/** A refund tried and not done: to the back of the refund job's queue. */
export async function touchRefund(db: PaymentDb, id: string): Promise<void> {
  await db.updateTable("refund").set({ updatedAt: new Date() }).where("id", "=", id).execute();
}

/** The provider's id for the payment (what a refund refers to), if it has one. */
export async function findReference(db: PaymentDb, paymentId: string): Promise<string | null> {
  const row = await db
    .selectFrom("payment")
    .select("reference")
    .where("id", "=", paymentId)
    .executeTakeFirst();
  return row?.reference ?? null;
}

export interface PaymentQuery {
  userId?: string;
  orderId?: string;
  status?: PaymentStatus;
  /** Keyset pagination: payments older than this id (UUIDv7). */
  beforeId?: string;
  limit: number;
}

/** Newest first, each with its attempts and refunds (three queries for the page). */
export async function listPayments(
  db: PaymentDb,
  query: PaymentQuery,
): Promise<Array<{ payment: Payment; attempts: Attempt[]; refunds: Refund[] }>> {
  let select = db.selectFrom("payment").selectAll().orderBy("id", "desc").limit(query.limit);
  if (query.userId) select = select.where("userId", "=", query.userId);
  if (query.orderId) select = select.where("orderId", "=", query.orderId);
  if (query.status) select = select.where("status", "=", query.status);
  if (query.beforeId) select = select.where("id", "<", query.beforeId);
  return withDetails(db, (await select.execute()).map(toPayment));
}

/** Payments with their attempts (oldest first) and refunds. */
export async function withDetails(
  db: PaymentDb,
  payments: Payment[],
): Promise<Array<{ payment: Payment; attempts: Attempt[]; refunds: Refund[] }>> {
  if (payments.length === 0) return [];
  const ids = payments.map((p) => p.id);
  const [attempts, refunds] = await Promise.all([
    db.selectFrom("paymentAttempt").selectAll().where("paymentId", "in", ids).orderBy("id").execute(),
    db.selectFrom("refund").selectAll().where("paymentId", "in", ids).orderBy("createdAt").execute(),
  ]);
  return payments.map((payment) => ({
    payment,
    attempts: attempts
      .filter((a) => a.paymentId === payment.id)
      .map(({ outcome, message, at }) => ({ outcome, message, at })),
    refunds: refunds.filter((r) => r.paymentId === payment.id).map(toRefund),
  }));
}

/** Payments with a refund left PENDING since before `before` (the provider was away, or still working). */
export async function paymentsOwingRefunds(db: PaymentDb, before: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom("refund")
    .select("paymentId")
    .where("status", "=", "PENDING")
    .where("updatedAt", "<", before)
    .orderBy("updatedAt")
    .limit(limit)
    .execute();
  return rows.map((row) => row.paymentId);
}

/** Payments whose call-off the provider has not heard since before `before` (it was away). */
export async function paymentsOwingCallOffs(db: PaymentDb, before: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom("payment")
    .select("id")
    .where("callOffOwed", "=", true)
    .where("reference", "is not", null)
    .where("updatedAt", "<", before)
    .orderBy("updatedAt")
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}
