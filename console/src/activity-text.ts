/** An activity entry (a domain event the activity log kept) in words. */
import type { ActivityEntry } from "./api/types";
import { money, ORDER_STATUS_TEXT } from "./format";

type Payload = {
  from?: keyof typeof ORDER_STATUS_TEXT;
  to?: keyof typeof ORDER_STATUS_TEXT;
  reason?: string;
  payment?: { amountCents?: number; currency?: string };
  refund?: { amountCents?: number; reason?: string };
};

const amount = (cents: number | undefined, currency: string | undefined) =>
  cents !== undefined && currency ? ` (${money(cents, currency)})` : "";

export function activityText(entry: ActivityEntry): string {
  const payload = (
    typeof entry.payload === "object" && entry.payload !== null ? entry.payload : {}
  ) as Payload;
  const because = payload.reason ? `: ${payload.reason}` : "";
  switch (entry.type) {
    case "order.created":
      return "Order placed";
    case "order.status.updated": {
      const from = payload.from ? ORDER_STATUS_TEXT[payload.from] : "?";
      const to = payload.to ? ORDER_STATUS_TEXT[payload.to] : "?";
      return `Status changed from ${from} to ${to}${because}`;
    }
    case "payment.succeeded":
      return `Payment received${amount(payload.payment?.amountCents, payload.payment?.currency)}`;
    case "payment.failed":
      return `Payment failed${because}`;
    case "payment.refunded":
      return `Refunded${amount(payload.refund?.amountCents, payload.payment?.currency)}`;
    default:
      return entry.type;
  }
}
