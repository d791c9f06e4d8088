/** Notifications as the API shows them. */
import { t } from "elysia";
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
  lastError: t.Nullable(t.String()),
  createdAt: t.String({ format: "date-time" }),
  updatedAt: t.String({ format: "date-time" }),
  sentAt: t.Nullable(t.String({ format: "date-time" })),
});

export type NotificationView = typeof NotificationViewSchema.static;

/**
 * A delivery's last error names hosts, ports and provider answers: an operator's business, shown
 * to admins only. Everyone else sees `null` there.
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
  lastError: viewer.role === "admin" ? row.lastError : null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  sentAt: row.sentAt?.toISOString() ?? null,
});
