import { describe, expect, test } from "bun:test";
import {
  createEvent,
  type DomainEvent,
  dispatchEvent,
  type EventHandlers,
  fromStreamFields,
  MalformedEventError,
  newEvent,
  readEvent,
  toStreamFields,
  UnknownEventError,
} from "../src/index.js";

const order = {
  id: "0193a3c2-7e4a-7000-8000-000000000001",
  userId: "0193a3c2-7e4a-7000-8000-000000000002",
  status: "CONFIRMED" as const,
  items: [{ sku: "MUG-1", name: "Mug", unitPriceCents: 1250, quantity: 2, subtotalCents: 2500 }],
  totalCents: 2500,
  currency: "EUR",
  createdAt: "2026-11-25T10:00:00.000Z",
  updatedAt: "2026-11-25T10:00:00.000Z",
  statusHistory: [{ status: "CONFIRMED" as const, at: "2026-11-25T10:00:00.000Z" }],
};
const user = { id: order.userId, email: "ada@example.com", name: "Ada" };
const payment = {
  id: "0193a3c2-7e4a-7000-8000-000000000003",
  orderId: order.id,
  userId: order.userId,
  provider: "sandbox",
  status: "REFUNDED" as const,
  amountCents: 2500,
  refundedCents: 2500,
  currency: "EUR",
};
const refund = { id: "0193a3c2-7e4a-7000-8000-000000000004", amountCents: 2500, reason: "order cancelled" };

/** An event as it comes off a stream: any type, any payload. */
const raw = (overrides: Partial<DomainEvent>): DomainEvent => ({
  ...createEvent("order.created", { order, user }, { requestId: "req-1" }),
  ...overrides,
});

describe("event contracts", () => {
  test("createEvent stamps the contract's version, and readEvent accepts what it made", () => {
    const event = createEvent("order.created", { order, user }, { requestId: "req-1" });
    expect(event).toMatchObject({ type: "order.created", version: 1, requestId: "req-1" });
    expect(readEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  test("an unknown type or version is an UnknownEventError, a payload that does not fit names its path", () => {
    expect(() => readEvent(raw({ type: "order.teleported" }))).toThrow(UnknownEventError);
    expect(() => readEvent(raw({ version: 2 }))).toThrow("order.created version 2 is not known (only 1)");
    const noTotal = { order: { ...order, totalCents: "25.00" }, user };
    expect(() => readEvent(raw({ payload: noTotal }))).toThrow(MalformedEventError);
    expect(() => readEvent(raw({ payload: noTotal }))).toThrow("/order/totalCents");
    expect(() => readEvent(raw({ payload: { order: { ...order, id: "not-a-uuid" }, user } }))).toThrow(
      "/order/id",
    );
  });

  test("dispatchEvent hands each type to its handler and leaves an ignored type alone", () => {
    const handlers: EventHandlers<string> = {
      "order.created": (event) => `placed ${event.payload.order.totalCents}`,
      "order.status.updated": "ignore",
      "payment.succeeded": "ignore",
      "payment.failed": "ignore",
      "payment.refunded": (event) => `refunded ${event.payload.refund.amountCents}`,
      "product.created": "ignore",
      "product.updated": "ignore",
      "product.archived": "ignore",
      "stock.low": (event) => `low ${event.payload.sku}`,
      "stock.replenished": "ignore",
    };
    expect(dispatchEvent(handlers, raw({}))).toBe("placed 2500");
    const low = createEvent("stock.low", { sku: "MUG-1", available: 1, threshold: 5 }, { requestId: "r" });
    expect(dispatchEvent(handlers, low)).toBe("low MUG-1");
    const replenished = createEvent(
      "stock.replenished",
      { sku: "MUG-1", quantity: 5, available: 6, reserved: 0 },
      { requestId: "r" },
    );
    expect(dispatchEvent(handlers, replenished)).toBeUndefined();
    const refunded = createEvent("payment.refunded", { payment, refund, user }, { requestId: "r" });
    expect(dispatchEvent(handlers, refunded)).toBe("refunded 2500");
  });

  test("a stream entry whose occurredAt is not a time is malformed (dead-lettered, not stored as 1970)", () => {
    const event = newEvent("order.created", { orderId: "o-1" }, { requestId: "req-1" });
    const fields = toStreamFields({ ...event, occurredAt: "yesterday-ish" });
    expect(() => fromStreamFields(fields)).toThrow(MalformedEventError);
    expect(fromStreamFields(toStreamFields(event)).occurredAt).toBe(event.occurredAt);
  });

  test("a payment event comes off a stream entry as it went in; one whose payment does not fit is rejected", () => {
    const refunded = createEvent("payment.refunded", { payment, refund, user }, { requestId: "req-2" });
    expect(readEvent(fromStreamFields(toStreamFields(refunded)))).toEqual(refunded);
    const failed = createEvent(
      "payment.failed",
      { payment: { ...payment, status: "FAILED", refundedCents: 0 }, user, reason: "card declined" },
      { requestId: "req-3" },
    );
    expect(readEvent(fromStreamFields(toStreamFields(failed)))).toEqual(failed);

    const paymentEvent = (payload: unknown) => raw({ type: "payment.refunded", payload });
    expect(() => readEvent(paymentEvent({ payment: { ...payment, status: "PAID" }, refund, user }))).toThrow(
      "/payment/status",
    );
    expect(() =>
      readEvent(paymentEvent({ payment: { ...payment, amountCents: "25.00" }, refund, user })),
    ).toThrow("/payment/amountCents");
    expect(() => readEvent(paymentEvent({ payment, user }))).toThrow("/refund");
    expect(() => readEvent(raw({ type: "payment.failed", payload: failed.payload }))).not.toThrow();
    const { reason: _, ...noReason } = failed.payload;
    expect(() => readEvent(raw({ type: "payment.failed", payload: noReason }))).toThrow(MalformedEventError);
  });
});
