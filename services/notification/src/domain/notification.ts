/** Notifications: what the service sends for an event, on which channel, to whom. Pure functions. */
import type { DomainEvent } from "@platform/events";
import type { Channel } from "../config.js";
import { type Rendered, renderOrderCreated, renderStatusUpdated, renderStockLow } from "./templates.js";

export type NotificationStatus = "pending" | "sent" | "failed";

/** A notification to store (one per event and channel) before it is delivered. */
export interface NewNotification {
  eventId: string;
  eventType: string;
  channel: Channel;
  userId: string | null;
  orderId: string | null;
  recipient: string;
  subject: string;
  bodyText: string;
  bodyHtml: string;
  /** What a webhook or WebSocket receives. */
  data: Record<string, unknown>;
}

export class UnknownEventTypeError extends Error {
  override readonly name = "UnknownEventTypeError";
}

/** Events this service reads but has nothing to say about. */
const SILENT = new Set(["product.created", "product.updated", "stock.replenished"]);

interface OrderPayload {
  order: {
    id: string;
    userId: string;
    status: string;
    items: Array<{
      sku: string;
      name: string;
      quantity: number;
      unitPriceCents: number;
      subtotalCents: number;
    }>;
    totalCents: number;
    currency: string;
  };
  user: { id: string; email: string; name: string };
}

/**
 * The notifications an event gives rise to: for an order event, one per customer channel to the
 * owner; for stock.low, email and log to the admins. An unknown type throws (it ends in the DLQ).
 */
export function notificationsFor(
  event: DomainEvent,
  { customerChannels, adminEmails }: { customerChannels: Channel[]; adminEmails: string[] },
): NewNotification[] {
  if (SILENT.has(event.type)) return [];
  if (event.type === "order.created" || event.type === "order.status.updated") {
    const payload = event.payload as OrderPayload & { from?: string; to?: string };
    if (!payload?.order?.id || !payload.user?.id)
      throw new Error(`${event.type} ${event.id} lacks its order or user`);
    const rendered =
      event.type === "order.created"
        ? renderOrderCreated(payload.order, payload.user)
        : renderStatusUpdated(
            payload.order,
            payload.user,
            payload.from ?? "",
            payload.to ?? payload.order.status,
          );
    const data = {
      type: event.type,
      orderId: payload.order.id,
      status: payload.order.status,
      totalCents: payload.order.totalCents,
      currency: payload.order.currency,
    };
    return customerChannels.map((channel) =>
      build(event, channel, rendered, data, {
        userId: payload.user.id,
        orderId: payload.order.id,
        recipient: channel === "email" ? payload.user.email : payload.user.id,
      }),
    );
  }
  if (event.type === "stock.low") {
    const payload = event.payload as { sku: string; available: number; threshold: number };
    const rendered = renderStockLow(payload);
    const channels: Channel[] = adminEmails.length > 0 ? ["log", "email"] : ["log"];
    return channels.map((channel) =>
      build(
        event,
        channel,
        rendered,
        { type: event.type, ...payload },
        { userId: null, orderId: null, recipient: channel === "email" ? adminEmails.join(", ") : "admins" },
      ),
    );
  }
  throw new UnknownEventTypeError(`unknown event type ${event.type}`);
}

function build(
  event: DomainEvent,
  channel: Channel,
  rendered: Rendered,
  data: Record<string, unknown>,
  target: { userId: string | null; orderId: string | null; recipient: string },
): NewNotification {
  return {
    eventId: event.id,
    eventType: event.type,
    channel,
    ...target,
    subject: rendered.subject,
    bodyText: rendered.text,
    bodyHtml: rendered.html,
    data: { ...data, eventId: event.id, occurredAt: event.occurredAt },
  };
}
