/** Activity entries: every domain event, as the log keeps it and shows it. Pure functions. */
import { type DomainEvent, dispatchEvent, type EventHandlers } from "@platform/events";

export interface ActivityEntry {
  /** The event id: an event is stored once. */
  _id: string;
  type: string;
  version: number;
  occurredAt: Date;
  requestId: string;
  /** What the entry is about, for the indexed queries. */
  orderId?: string;
  userId?: string;
  sku?: string;
  source: string;
  payload: unknown;
  recordedAt: Date;
}

export interface ActivityView {
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  requestId: string;
  orderId: string | null;
  userId: string | null;
  sku: string | null;
  payload: unknown;
}

const paymentSubject = (payment: { orderId: string; userId: string }) => ({
  orderId: payment.orderId,
  userId: payment.userId,
});

/** What each event is about, for the indexed queries. */
const SUBJECTS: EventHandlers<Pick<ActivityEntry, "orderId" | "userId" | "sku">> = {
  "order.created": ({ payload }) => ({ orderId: payload.order.id, userId: payload.user.id }),
  "order.status.updated": ({ payload }) => ({ orderId: payload.orderId, userId: payload.userId }),
  // A payment is filed with its order, so the order's trail shows it was paid, declined or refunded.
  "payment.succeeded": ({ payload }) => paymentSubject(payload.payment),
  "payment.failed": ({ payload }) => paymentSubject(payload.payment),
  "payment.refunded": ({ payload }) => paymentSubject(payload.payment),
  "product.created": ({ payload }) => ({ sku: payload.product.sku }),
  "product.updated": ({ payload }) => ({ sku: payload.sku }),
  "product.archived": ({ payload }) => ({ sku: payload.sku }),
  "stock.low": ({ payload }) => ({ sku: payload.sku }),
  "stock.replenished": ({ payload }) => ({ sku: payload.sku }),
};

/**
 * The entry for an event. An event no contract knows, or whose payload does not fit its contract,
 * throws (UnknownEventError, MalformedEventError): retrying will not help, it is dead-lettered.
 */
export function toActivityEntry(event: DomainEvent, source: string): ActivityEntry {
  const subject = dispatchEvent(SUBJECTS, event) ?? {};
  return {
    _id: event.id,
    type: event.type,
    version: event.version,
    occurredAt: new Date(event.occurredAt),
    requestId: event.requestId,
    ...subject,
    source,
    payload: event.payload,
    recordedAt: new Date(),
  };
}

export const toActivityView = (entry: ActivityEntry): ActivityView => ({
  id: entry._id,
  type: entry.type,
  version: entry.version,
  occurredAt: entry.occurredAt.toISOString(),
  requestId: entry.requestId,
  orderId: entry.orderId ?? null,
  userId: entry.userId ?? null,
  sku: entry.sku ?? null,
  payload: entry.payload,
});
