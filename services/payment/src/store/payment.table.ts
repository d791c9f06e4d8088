import type { OrderOwner } from "@platform/events";
import type { OutboxTable } from "@platform/outbox";
import type { ColumnType, Generated, JSONColumnType } from "kysely";
import type { AttemptOutcome, PaymentStatus, RefundStatus } from "../domain/payment.js";

type CreatedAt = ColumnType<Date, never, never>;

export interface PaymentTable {
  id: string;
  orderId: string;
  userId: string;
  provider: string;
  reference: string | null;
  clientSecret: string | null;
  status: PaymentStatus;
  amountCents: number;
  refundedCents: Generated<number>;
  currency: string;
  owner: JSONColumnType<OrderOwner, string, string>;
  failedAttempts: Generated<number>;
  orderCancelled: Generated<boolean>;
  callOffOwed: Generated<boolean>;
  requestId: string;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, never, Date>;
}

export interface PaymentAttemptTable {
  id: Generated<number>;
  paymentId: string;
  outcome: AttemptOutcome;
  message: string | null;
  providerEventId: string;
  at: CreatedAt;
}

export interface RefundTable {
  id: string;
  paymentId: string;
  amountCents: number;
  reason: string;
  status: RefundStatus;
  reference: string | null;
  requestId: string;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, never, Date>;
}

/** Every webhook applied, by the provider's event id: a second delivery finds its row. */
export interface ProviderEventTable {
  provider: string;
  eventId: string;
  paymentId: string;
  receivedAt: CreatedAt;
}

export interface PaymentDatabase {
  payment: PaymentTable;
  paymentAttempt: PaymentAttemptTable;
  refund: RefundTable;
  providerEvent: ProviderEventTable;
  outbox: OutboxTable;
}
