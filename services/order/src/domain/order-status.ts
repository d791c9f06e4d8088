/**
 * The order lifecycle: CONFIRMED → SHIPPED → DELIVERED, and CONFIRMED → CANCELLED. With a payment
 * provider an order starts PENDING_PAYMENT: paid, it becomes CONFIRMED; unpaid (failed, window
 * over, cancelled by its owner), CANCELLED.
 */
import { AppError } from "@platform/errors";
import type { OrderStatus } from "./order.js";

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING_PAYMENT: ["CONFIRMED", "CANCELLED"],
  CONFIRMED: ["SHIPPED", "CANCELLED"],
  SHIPPED: ["DELIVERED"],
  DELIVERED: [],
  CANCELLED: [],
};

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean => NEXT[from].includes(to);

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError("INVALID_TRANSITION", `An order that is ${from} cannot become ${to}.`, {
      from,
      to,
    });
  }
}
