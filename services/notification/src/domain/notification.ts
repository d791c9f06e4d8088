/** Notifications: what the service sends for an event, on which channel, to whom. Pure functions. */
import {
  type DomainEvent,
  dispatchEvent,
  type EventHandlers,
  type OrderOwner,
  type PlatformEvent,
} from "@platform/events";
import {
  type Rendered,
  renderOrderCreated,
  renderPaymentFailed,
  renderPaymentRefunded,
  renderPaymentSucceeded,
  renderStatusUpdated,
  renderStockLow,
} from "./templates.js";

/** The ways a notification reaches someone. */
export const CHANNELS = ["log", "email", "webhook", "websocket", "sms"] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * The channels an order's owner is notified on: those configured that the owner has not switched
 * off (log and WebSocket cannot be), and sms only when they have a phone. The owner's preferences
 * come with the event, as they were when the order was placed; an event without them (written
 * before preferences existed) gets every configured channel.
 */
export function ownerChannels(configured: readonly Channel[], owner: OrderOwner): Channel[] {
  return configured.filter((channel) => {
    if (channel === "log" || channel === "websocket") return true;
    if (channel === "sms" && !owner.phone) return false;
    return owner.notificationPreferences?.[channel] ?? true;
  });
}

/** Where a channel sends to: an address, a phone number, or (log, WebSocket, webhook) the user. */
function recipientOf(channel: Channel, owner: OrderOwner): string {
  if (channel === "email") return owner.email;
  if (channel === "sms") return owner.phone ?? "";
  return owner.id;
}

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
  /** The message: empty for the channels that send none (bodiesFor). */
  bodyText: string;
  bodyHtml: string;
  /** What a webhook or WebSocket receives. */
  data: Record<string, unknown>;
  /** The trace the event was handled in, if any: the delivery continues it. */
  traceparent: string | null;
}

type OrderEvent = PlatformEvent<"order.created" | "order.status.updated">;
type PaymentEvent = PlatformEvent<"payment.succeeded" | "payment.failed" | "payment.refunded">;

/**
 * The notifications an event gives rise to: for an order or payment event, one per channel the
 * owner gets (ownerChannels); for stock.low, email and log to the admins; nothing for the rest. An
 * event no contract knows, or whose payload does not fit, throws (it ends in the dead-letter stream).
 */
export function notificationsFor(
  event: DomainEvent,
  { customerChannels, adminEmails }: { customerChannels: Channel[]; adminEmails: string[] },
): NewNotification[] {
  /** One per channel the owner gets, about one of their orders; `data` is what a webhook receives. */
  const toOwner = (
    read: PlatformEvent,
    { user, orderId }: { user: OrderOwner; orderId: string },
    rendered: Rendered,
    data: Record<string, unknown>,
  ): NewNotification[] =>
    ownerChannels(customerChannels, user).map((channel) =>
      build(
        read,
        channel,
        rendered,
        { type: read.type, orderId, ...data },
        {
          userId: user.id,
          orderId,
          recipient: recipientOf(channel, user),
        },
      ),
    );
  const aboutOrder = (read: OrderEvent, rendered: Rendered) => {
    const { order, user } = read.payload;
    const { status, totalCents, currency } = order;
    return toOwner(read, { user, orderId: order.id }, rendered, { status, totalCents, currency });
  };
  const aboutPayment = (read: PaymentEvent, rendered: Rendered, more: Record<string, unknown> = {}) => {
    const { payment, user } = read.payload;
    return toOwner(read, { user, orderId: payment.orderId }, rendered, {
      paymentId: payment.id,
      paymentStatus: payment.status,
      amountCents: payment.amountCents,
      refundedCents: payment.refundedCents,
      currency: payment.currency,
      ...more,
    });
  };
  const handlers: EventHandlers<NewNotification[]> = {
    "order.created": (read) => aboutOrder(read, renderOrderCreated(read.payload.order, read.payload.user)),
    "order.status.updated": (read) => {
      const { order, user, from, to, reason } = read.payload;
      return aboutOrder(read, renderStatusUpdated(order, user, from, to, reason));
    },
    "payment.succeeded": (read) =>
      aboutPayment(read, renderPaymentSucceeded(read.payload.payment, read.payload.user)),
    "payment.failed": (read) => {
      const { payment, user, reason } = read.payload;
      return aboutPayment(read, renderPaymentFailed(payment, user, reason), { reason });
    },
    "payment.refunded": (read) => {
      const { payment, refund, user } = read.payload;
      return aboutPayment(read, renderPaymentRefunded(payment, refund, user), { refund });
    },
    "stock.low": (read) => {
      const channels: Channel[] = adminEmails.length > 0 ? ["log", "email"] : ["log"];
      return channels.map((channel) =>
        build(
          read,
          channel,
          renderStockLow(read.payload),
          { type: read.type, ...read.payload },
          { userId: null, orderId: null, recipient: channel === "email" ? adminEmails.join(", ") : "admins" },
        ),
      );
    },
    "product.created": "ignore",
    "product.updated": "ignore",
    "product.archived": "ignore",
    "stock.replenished": "ignore",
  };
  return dispatchEvent(handlers, event) ?? [];
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
    ...bodiesFor(channel, rendered),
    // The request id too: a delivery's log lines (and a webhook's receiver) name the request it began with.
    data: { ...data, eventId: event.id, requestId: event.requestId, occurredAt: event.occurredAt },
    traceparent: event.traceparent ?? null,
  };
}

/**
 * The message bodies a channel sends: an email the text and the HTML, a text message the one short
 * line. Log, WebSocket and webhook send the subject and data only, so their rows keep no body (the
 * bodies were over half of each row, and two rows in three are of those channels).
 */
function bodiesFor(channel: Channel, rendered: Rendered): Pick<NewNotification, "bodyText" | "bodyHtml"> {
  if (channel === "email") return { bodyText: rendered.text, bodyHtml: rendered.html };
  if (channel === "sms") return { bodyText: rendered.short, bodyHtml: "" };
  return { bodyText: "", bodyHtml: "" };
}
