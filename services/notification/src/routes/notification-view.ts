/** Notifications as the API shows them. */
import { t } from "elysia";
import type { Channel } from "../domain/notification.js";
import type { NotificationRow } from "../store/notification.table.js";

export const NotificationViewSchema = t.Object({
  id: t.String({ format: "uuid" }),
  eventId: t.String(),
  eventType: t.String(),
  channel: t.String(),
  orderId: t.Nullable(t.String()),
  userId: t.Nullable(t.String()),
  recipient: t.String(),
  subject: t.String(),
  status: t.Union([t.Literal("pending"), t.Literal("sent"), t.Literal("failed")]),
  attempts: t.Integer(),
  lastError: t.Nullable(
    t.String({
      description:
        "Why the last attempt failed, while not sent: the channel's answer for admins, plain words for the owner",
    }),
  ),
  createdAt: t.String({ format: "date-time" }),
  updatedAt: t.String({ format: "date-time" }),
  sentAt: t.Nullable(t.String({ format: "date-time" })),
});

export type NotificationView = typeof NotificationViewSchema.static;

/**
 * A delivery's last error names hosts, ports and provider answers: an operator's business, shown
 * as it is to admins only. Its owner reads what it means for them (ownersLastError).
 */
export const toNotificationView = (row: NotificationRow, viewer: { role: string }): NotificationView => ({
  id: row.id,
  eventId: row.eventId,
  eventType: row.eventType,
  channel: row.channel,
  orderId: row.orderId,
  userId: row.userId,
  recipient: row.recipient,
  subject: row.subject,
  status: row.status,
  attempts: row.attempts,
  lastError: viewer.role === "admin" ? row.lastError : ownersLastError(row),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  sentAt: row.sentAt?.toISOString() ?? null,
});

const CHANNEL_NAMES: Record<Channel, string> = {
  email: "email",
  sms: "text message",
  webhook: "webhook",
  websocket: "WebSocket",
  log: "the log",
};

/** The last error in the owner's words: that delivery failed, and whether it is tried again. */
function ownersLastError({ lastError, status, channel, attempts }: NotificationRow): string | null {
  if (lastError === null) return null;
  const by = CHANNEL_NAMES[channel];
  return status === "failed"
    ? `Could not be delivered by ${by} (${attempts} ${attempts === 1 ? "attempt" : "attempts"}).`
    : `Not delivered by ${by} yet; it will be tried again.`;
}
