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

export const toNotificationView = (row: NotificationRow): NotificationView => ({
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
  lastError: row.lastError,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  sentAt: row.sentAt?.toISOString() ?? null,
});
