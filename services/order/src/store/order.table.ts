import type { NotificationPreferences } from "@platform/events";
import type { OutboxTable } from "@platform/outbox";
import type { ColumnType, Generated } from "kysely";
import type { OrderStatus } from "../domain/order.js";

type CreatedAt = ColumnType<Date, never, never>;

export interface OrderTable {
  id: string;
  userId: string;
  status: OrderStatus;
  totalCents: number;
  currency: string;
  version: Generated<number>;
  requestId: string;
  ownerEmail: string | null;
  ownerName: string | null;
  ownerPhone: string | null;
  /** Null for orders placed before preferences existed: every channel on. */
  ownerPreferences: NotificationPreferences | null;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, never, Date>;
}

export interface OrderItemTable {
  orderId: string;
  lineNo: number;
  sku: string;
  name: string;
  unitPriceCents: number;
  quantity: number;
  subtotalCents: number;
}

export interface OrderStatusHistoryTable {
  orderId: string;
  version: number;
  status: OrderStatus;
  at: Generated<Date>;
}

export interface IdempotencyKeyTable {
  userId: string;
  key: string;
  requestHash: string;
  orderId: string;
  state: "in_progress" | "done";
  lockedUntil: Date;
  responseStatus: number | null;
  responseBody: ColumnType<unknown, string | null, string | null>;
  createdAt: CreatedAt;
}

export interface ReservationTaskTable {
  orderId: string;
  action: "commit" | "return" | "expire";
  requestId: string;
  attempts: Generated<number>;
  nextAttemptAt: Generated<Date>;
  lastError: string | null;
  /** A return: the reservation was committed (the Return carries the order's lines). */
  committed: Generated<boolean>;
  createdAt: CreatedAt;
}

export interface OrderDatabase {
  order: OrderTable;
  orderItem: OrderItemTable;
  orderStatusHistory: OrderStatusHistoryTable;
  outbox: OutboxTable;
  idempotencyKey: IdempotencyKeyTable;
  reservationTask: ReservationTaskTable;
}
