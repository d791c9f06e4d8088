/** Activity entries: every domain event, as the log keeps it and shows it. Pure functions. */
import type { DomainEvent } from "@platform/events";

/** The event types of the platform (ARCHITECTURE §3); anything else is refused (and dead-lettered). */
export const KNOWN_EVENT_TYPES = new Set([
  "order.created",
  "order.status.updated",
  "product.created",
  "product.updated",
  "stock.low",
  "stock.replenished",
]);

export class UnknownEventTypeError extends Error {
  override readonly name = "UnknownEventTypeError";
}

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

const text = (value: unknown) => (typeof value === "string" && value ? value : undefined);

/** The entry for an event; throws UnknownEventTypeError for a type the platform does not publish. */
export function toActivityEntry(event: DomainEvent, source: string): ActivityEntry {
  if (!KNOWN_EVENT_TYPES.has(event.type)) throw new UnknownEventTypeError(`unknown event type ${event.type}`);
  const payload = (event.payload ?? {}) as Record<string, unknown>;
  const order = (payload.order ?? {}) as Record<string, unknown>;
  const user = (payload.user ?? {}) as Record<string, unknown>;
  const product = (payload.product ?? {}) as Record<string, unknown>;
  const entry: ActivityEntry = {
    _id: event.id,
    type: event.type,
    version: event.version,
    occurredAt: new Date(event.occurredAt),
    requestId: event.requestId,
    source,
    payload: event.payload,
    recordedAt: new Date(),
  };
  const orderId = text(payload.orderId) ?? text(order.id);
  const userId = text(payload.userId) ?? text(user.id) ?? text(order.userId);
  const sku = text(payload.sku) ?? text(product.sku);
  if (orderId) entry.orderId = orderId;
  if (userId) entry.userId = userId;
  if (sku) entry.sku = sku;
  return entry;
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
