/**
 * Orders as the service keeps them; pure functions, no I/O. How an order is shown (OrderView) is
 * the wire contract in @platform/events, shared with the events that carry it.
 */

import { AppError, validationFailed } from "@platform/errors";
import type { OrderLine, OrderStatus, OrderView } from "@platform/events";

export type { OrderLine, OrderStatus, OrderView };

export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  items: OrderLine[];
  totalCents: number;
  currency: string;
  /** Incremented on every change; events carry it so consumers can ignore stale ones. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  statusHistory: Array<{ status: OrderStatus; at: Date }>;
}

export const toOrderView = (order: Order): OrderView => ({
  id: order.id,
  userId: order.userId,
  status: order.status,
  items: order.items,
  totalCents: order.totalCents,
  currency: order.currency,
  createdAt: order.createdAt.toISOString(),
  updatedAt: order.updatedAt.toISOString(),
  statusHistory: order.statusHistory.map(({ status, at }) => ({ status, at: at.toISOString() })),
});

/** The most of one SKU an order may hold (the order_item CHECK holds the same bound). */
export const MAX_LINE_QUANTITY = 10_000;

/**
 * The lines of a new order, one per SKU in the order each first appears. Lines of one SKU add up,
 * and the sum must stay within MAX_LINE_QUANTITY as each line must: two lines of 6,000 are 12,000.
 */
export function orderLines(items: ReadonlyArray<{ sku: string; quantity: number }>) {
  const merged = new Map<string, number>();
  for (const { sku, quantity } of items) merged.set(sku, (merged.get(sku) ?? 0) + quantity);
  const over = [...merged].filter(([, quantity]) => quantity > MAX_LINE_QUANTITY);
  if (over.length > 0) {
    throw validationFailed(
      `An order holds at most ${MAX_LINE_QUANTITY} of one SKU; lines of one SKU add up.`,
      over.map(([sku, quantity]) => ({ field: "items", message: `${sku}: ${quantity} in all` })),
    );
  }
  return [...merged].map(([sku, quantity]) => ({ sku, quantity }));
}

/** The priced lines the inventory reserved, as order lines with their subtotals and the order's total. */
export function priceLines(
  reserved: ReadonlyArray<{
    sku: string;
    name: string;
    unitPriceCents: number;
    quantity: number;
    currency: string;
  }>,
): { items: OrderLine[]; totalCents: number; currency: string } {
  const currencies = new Set(reserved.map((line) => line.currency));
  if (currencies.size !== 1) {
    throw new AppError(
      "VALIDATION_FAILED",
      `An order is in one currency; these lines are in ${[...currencies].join(", ")}.`,
    );
  }
  const items = reserved.map(({ sku, name, unitPriceCents, quantity }) => ({
    sku,
    name,
    unitPriceCents,
    quantity,
    subtotalCents: unitPriceCents * quantity,
  }));
  const totalCents = items.reduce((sum, line) => sum + line.subtotalCents, 0);
  // Past 2^53 a number no longer holds every integer: a total there would be silently rounded.
  if (!Number.isSafeInteger(totalCents)) {
    throw validationFailed(
      `The order's total would exceed ${Number.MAX_SAFE_INTEGER} minor units; order fewer or cheaper items.`,
    );
  }
  return { items, totalCents, currency: [...currencies][0] as string };
}

/** Who may see an order: its owner and admins. Anyone else is told it does not exist. */
export const canSee = (order: Pick<Order, "userId">, principal: { userId: string; role: string }) =>
  principal.role === "admin" || order.userId === principal.userId;
