/**
 * Events as the platform's producers publish them, built through the contracts (createEvent), so a
 * test's event is valid by construction and a contract change breaks the fixtures at compile time.
 */
import {
  createEvent,
  newEvent,
  type OrderLine,
  type OrderOwner,
  type OrderStatus,
  type OrderView,
  type PayloadOf,
} from "@platform/events";

const someone = (id: string = Bun.randomUUIDv7()): OrderOwner => ({
  id,
  email: `${id}@example.com`,
  name: "Someone",
});

/** An order as the order API shows it; every field can be given. */
export function orderFixture(fields: Partial<OrderView> & { items?: OrderLine[] } = {}): OrderView {
  const at = new Date().toISOString();
  const items = fields.items ?? [
    { sku: "MUG-1", name: "Stoneware mug", quantity: 2, unitPriceCents: 1250, subtotalCents: 2500 },
  ];
  return {
    id: Bun.randomUUIDv7(),
    userId: Bun.randomUUIDv7(),
    status: "CONFIRMED",
    totalCents: items.reduce((sum, line) => sum + line.subtotalCents, 0),
    currency: "EUR",
    createdAt: at,
    updatedAt: at,
    statusHistory: [{ status: "CONFIRMED", at }],
    ...fields,
    items,
  };
}

/** order.created for an order of this owner (a new one unless given). */
export function orderCreatedEvent({
  user = someone(),
  order = {},
  requestId,
}: {
  user?: OrderOwner;
  order?: Partial<OrderView>;
  requestId?: string;
} = {}) {
  const placed = orderFixture({ userId: user.id, ...order });
  return createEvent(
    "order.created",
    { order: placed, user },
    { requestId: requestId ?? `req-${placed.id}` },
  );
}

/** order.status.updated: the order moved from one status to another, at this version. */
export function orderStatusUpdatedEvent({
  user = someone(),
  orderId = Bun.randomUUIDv7(),
  from = "CONFIRMED",
  to,
  version = 2,
  reason,
  requestId = "req-status",
}: {
  user?: OrderOwner;
  orderId?: string;
  from?: OrderStatus;
  to: OrderStatus;
  version?: number;
  reason?: string;
  requestId?: string;
}) {
  const order = orderFixture({ id: orderId, userId: user.id, status: to });
  const change = { from, to, version, ...(reason ? { reason } : {}) };
  return createEvent(
    "order.status.updated",
    { orderId, userId: user.id, ...change, order, user },
    { requestId },
  );
}

type PaymentSnapshot = PayloadOf<"payment.succeeded">["payment"];

/** A payment of an order as payment events carry it: 25.00 EUR through the sandbox, paid. */
function paymentFixture(fields: Partial<PaymentSnapshot> = {}): PaymentSnapshot {
  return {
    id: Bun.randomUUIDv7(),
    orderId: Bun.randomUUIDv7(),
    userId: Bun.randomUUIDv7(),
    provider: "sandbox",
    status: "SUCCEEDED",
    amountCents: 2500,
    refundedCents: 0,
    currency: "EUR",
    ...fields,
  };
}

interface PaymentEventFields {
  user?: OrderOwner;
  payment?: Partial<PaymentSnapshot>;
  requestId?: string;
}

/** payment.succeeded: this owner's order (a new one unless given) was paid. */
export function paymentSucceededEvent({
  user = someone(),
  payment = {},
  requestId = "req-payment",
}: PaymentEventFields = {}) {
  const paid = paymentFixture({ userId: user.id, ...payment });
  return createEvent("payment.succeeded", { payment: paid, user }, { requestId });
}

/** payment.failed: this owner's payment was declined for good, for this reason. */
export function paymentFailedEvent({
  user = someone(),
  payment = {},
  reason = "Your card was declined.",
  requestId = "req-payment",
}: PaymentEventFields & { reason?: string } = {}) {
  const failed = paymentFixture({ userId: user.id, status: "FAILED", ...payment });
  return createEvent("payment.failed", { payment: failed, user, reason }, { requestId });
}

/** payment.refunded: the whole of this owner's payment went back, for this reason. */
export function paymentRefundedEvent({
  user = someone(),
  payment = {},
  reason = "Order cancelled.",
  requestId = "req-payment",
}: PaymentEventFields & { reason?: string } = {}) {
  const paid = paymentFixture({ userId: user.id, ...payment });
  const refunded = { ...paid, status: "REFUNDED" as const, refundedCents: paid.amountCents };
  const refund = { id: Bun.randomUUIDv7(), amountCents: paid.amountCents, reason };
  return createEvent("payment.refunded", { payment: refunded, refund, user }, { requestId });
}

export function stockLowEvent({
  sku,
  available,
  threshold,
  requestId = "req-stock",
}: {
  sku: string;
  available: number;
  threshold: number;
  requestId?: string;
}) {
  return createEvent("stock.low", { sku, available, threshold }, { requestId });
}

/**
 * The fields of a stream entry that no consumer can read (its payload is not JSON), as a broken or
 * foreign producer might write it: a consumer must dead-letter it without holding the rest back.
 */
export function unreadableEntryFields(id: string): string[] {
  const fields = { id, type: "order.created", version: "1", occurredAt: new Date().toISOString() };
  return [...Object.entries(fields).flat(), "payload", "{not json"];
}

/** A well-formed event of a type no contract knows. */
export const unknownTypeEvent = (type: string) => newEvent(type, {}, { requestId: "req-unknown" });
