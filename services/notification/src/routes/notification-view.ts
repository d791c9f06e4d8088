/** Notifications as the API shows them. */
import type { NotificationRow } from "../store/notification.table.js";

export interface NotificationView {
  id: string;
  eventId: string;
  eventType: string;
  channel: string;
  orderId: string | null;
  userId: string | null;
  recipient: string;
  subject: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

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
