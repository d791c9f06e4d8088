import type { ColumnType, Generated, JSONColumnType, Selectable } from "kysely";
import type { Channel, NotificationStatus } from "../domain/notification.js";

export interface NotificationTable {
  id: string;
  eventId: string;
  eventType: string;
  channel: Channel;
  userId: string | null;
  orderId: string | null;
  recipient: string;
  subject: string;
  bodyText: string;
  bodyHtml: string;
  data: JSONColumnType<Record<string, unknown>, string, string>;
  status: Generated<NotificationStatus>;
  attempts: Generated<number>;
  lastError: string | null;
  nextAttemptAt: Generated<Date>;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
  sentAt: Date | null;
  /** W3C trace context of the event's consumption, when traced: the delivery continues it. */
  traceparent: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface NotificationDatabase {
  notification: NotificationTable;
}

export type NotificationRow = Selectable<NotificationTable>;
