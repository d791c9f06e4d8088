/**
 * Refunds on real Postgres, against a provider whose answers arrive when the test says: the refund
 * job runs on every replica, and an admin's retry carries out the same refund, so two callers can
 * ask the provider about one refund at once and hear different answers.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { createDatabase, migrateToLatest } from "@platform/db";
import { createLogger } from "@platform/logging";
import { eventually, testInfra, uniqueName } from "@platform/testing";
import { type Kysely, sql } from "kysely";
import type { OrderClient } from "../src/clients/order-client.js";
import type { RefundStatus } from "../src/domain/payment.js";
import { SandboxProvider } from "../src/providers/sandbox.js";
import { migrations } from "../src/store/migrations/index.js";
import {
  findPayment,
  insertPayment,
  insertRefund,
  type PaymentDb,
  settleRefund,
  updatePayment,
} from "../src/store/payment.store.js";
import type { PaymentDatabase } from "../src/store/payment.table.js";
import type { PaymentDeps } from "../src/use-cases/payment-deps.js";
import { carryOutRefund } from "../src/use-cases/refunds.js";

setDefaultTimeout(30_000);

/** The sandbox, except that each refundStatus() answers with the next of `answers`, when it resolves. */
class LateAnswers extends SandboxProvider {
  readonly answers: Array<() => Promise<RefundStatus>> = [];
  override refundStatus(): Promise<RefundStatus> {
    const next = this.answers.shift();
    if (!next) throw new Error("no answer scripted");
    return next();
  }
}

const schema = uniqueName("t_payments");
let db: PaymentDb;
const provider = new LateAnswers("whsec_test");
let deps: PaymentDeps;

beforeAll(async () => {
  const { postgresUrl } = await testInfra();
  db = createDatabase<PaymentDatabase>({ url: postgresUrl, schema });
  await migrateToLatest(db as Kysely<unknown>, schema, migrations);
  deps = {
    db,
    provider,
    orders: {} as OrderClient, // refunds never ask the order service
    relay: { nudge: () => {} },
    eventsStream: "events:payments",
    maxAttempts: 3,
    logger: createLogger({
      service: "payment-test",
      level: "error",
      destination: { write: (line: string) => void errorLines.push(JSON.parse(line)) },
    }),
  };
});

afterAll(async () => {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
});

/** A paid payment whose whole refund the provider answered "pending" before. */
async function paymentWithPendingRefund() {
  const id = Bun.randomUUIDv7();
  await insertPayment(db, {
    id,
    orderId: Bun.randomUUIDv7(),
    userId: Bun.randomUUIDv7(),
    provider: "sandbox",
    amountCents: 1500,
    currency: "EUR",
    owner: { id: Bun.randomUUIDv7(), email: "buyer@example.com", name: "Buyer" },
    requestId: "req-pay",
  });
  await updatePayment(db, id, { status: "SUCCEEDED", reference: `pi_${id}` });
  const refund = await insertRefund(db, {
    id: Bun.randomUUIDv7(),
    paymentId: id,
    amountCents: 1500,
    reason: "cancelled",
    requestId: "req-refund",
  });
  await settleRefund(db, refund.id, { status: "PENDING", reference: `re_${refund.id}` });
  return { paymentId: id, refundId: refund.id };
}

/** The error lines the refunds below log (a person is told through them). */
const errorLines: Array<Record<string, unknown>> = [];

const refundedEvents = async (paymentId: string) =>
  (await db.selectFrom("outbox").select("payload").where("type", "=", "payment.refunded").execute()).filter(
    (row) => JSON.stringify(row.payload).includes(paymentId),
  ).length;

test("a late 'pending' about a refund another caller settled meanwhile does not reopen it: counted and announced once", async () => {
  const { paymentId, refundId } = await paymentWithPendingRefund();
  const late = Promise.withResolvers<RefundStatus>();
  provider.answers.push(
    () => late.promise,
    async () => "SUCCEEDED",
  );

  // One caller asks and waits for the provider; another asks, hears "succeeded" and settles it.
  const first = carryOutRefund(deps, paymentId);
  await eventually("the first caller asking the provider", () => provider.answers.length === 1);
  await carryOutRefund(deps, paymentId);
  late.resolve("PENDING");
  await first;

  const refund = await db.selectFrom("refund").selectAll().where("id", "=", refundId).executeTakeFirst();
  expect(refund?.status).toBe("SUCCEEDED");
  // The next pass of the refund job finds nothing owed (before the fix: the refund, again).
  provider.answers.push(async () => "SUCCEEDED");
  await carryOutRefund(deps, paymentId);
  expect(provider.answers).toHaveLength(1); // not asked
  const payment = await findPayment(db, paymentId);
  expect([payment?.status, payment?.refundedCents]).toEqual(["REFUNDED", 1500]);
  expect(await refundedEvents(paymentId)).toBe(1);
});

test("a refund the provider accepted and later failed (a closed card) is FAILED and logged as an error for a person", async () => {
  const { paymentId, refundId } = await paymentWithPendingRefund();
  provider.answers.splice(0, Infinity, async () => "FAILED"); // only this answer (the test above leaves one)
  await carryOutRefund(deps, paymentId);

  const refund = await db.selectFrom("refund").selectAll().where("id", "=", refundId).executeTakeFirst();
  expect(refund?.status).toBe("FAILED");
  expect(errorLines.filter((line) => line.refundId === refundId)).toEqual([
    expect.objectContaining({ level: "error", paymentId, reference: `re_${refundId}`, amountCents: 1500 }),
  ]);
  expect(await refundedEvents(paymentId)).toBe(0);
});
