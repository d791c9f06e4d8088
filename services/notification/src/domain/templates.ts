/** The words of each notification: as text, as HTML (every value escaped), and one short line (SMS). */
import { formatMoney } from "@platform/money";

export interface Rendered {
  subject: string;
  text: string;
  html: string;
  short: string;
}

interface Line {
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  subtotalCents: number;
}

const escapeHtml = (value: unknown) =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

const money = (minorUnits: number, currency: string) => formatMoney(minorUnits, currency, "en-GB");

const shortId = (id: string) => id.slice(-8);

/**
 * A new order: confirmed at once, or (with a payment provider, ARCHITECTURE §13) received and
 * waiting for its payment, in which case the customer hears of the confirmation when it is paid.
 */
export function renderOrderCreated(
  order: { id: string; status: string; items: Line[]; totalCents: number; currency: string },
  user: { name: string },
): Rendered {
  const awaitingPayment = order.status === "PENDING_PAYMENT";
  const said = awaitingPayment ? "received, awaiting payment" : "confirmed";
  const then = awaitingPayment ? "We confirm it as soon as your payment is through." : undefined;
  const lines = order.items.map(
    (l) =>
      `${l.quantity} × ${l.name} (${l.sku}) at ${money(l.unitPriceCents, order.currency)} = ${money(l.subtotalCents, order.currency)}`,
  );
  const total = money(order.totalCents, order.currency);
  const rows = order.items
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.name)} <small>${escapeHtml(l.sku)}</small></td><td align="right">${l.quantity}</td><td align="right">${escapeHtml(money(l.unitPriceCents, order.currency))}</td><td align="right">${escapeHtml(money(l.subtotalCents, order.currency))}</td></tr>`,
    )
    .join("");
  return {
    subject: `Order ${shortId(order.id)} ${said}`,
    text: [
      `Hello ${user.name},`,
      "",
      `we have your order ${order.id}:`,
      "",
      ...lines,
      "",
      `Total: ${total}`,
      ...(then ? ["", then] : []),
    ].join("\n"),
    short: `Order ${shortId(order.id)} ${said}: ${order.items.length === 1 ? "1 item" : `${order.items.length} items`}, total ${total}.`,
    html: `<p>Hello ${escapeHtml(user.name)},</p><p>we have your order <code>${escapeHtml(order.id)}</code>:</p><table><thead><tr><th align="left">Item</th><th>Qty</th><th>Price</th><th>Subtotal</th></tr></thead><tbody>${rows}</tbody><tfoot><tr><td colspan="3"><strong>Total</strong></td><td align="right"><strong>${escapeHtml(total)}</strong></td></tr></tfoot></table>${then ? `<p>${then}</p>` : ""}`,
  };
}

const STATUS_WORDS: Record<string, string> = {
  SHIPPED: "is on its way",
  DELIVERED: "was delivered",
  CANCELLED: "was cancelled",
};

/** How a change reads to the customer; an order that waited for its payment is confirmed by it. */
function changeWords(from: string, to: string): string {
  if (from === "PENDING_PAYMENT" && to === "CONFIRMED") return "was paid and is confirmed";
  return STATUS_WORDS[to] ?? `is now ${to}`;
}

export function renderStatusUpdated(
  order: { id: string; totalCents: number; currency: string },
  user: { name: string },
  from: string,
  to: string,
  /** Why, when the platform made the change itself. */
  reason?: string,
): Rendered {
  const said = changeWords(from, to);
  return {
    subject: `Order ${shortId(order.id)} ${said}`,
    text: `Hello ${user.name},\n\nyour order ${order.id} ${said} (${from} → ${to}).${reason ? `\n${reason}` : ""}\nTotal: ${money(order.totalCents, order.currency)}`,
    short: `Order ${shortId(order.id)} ${said}.`,
    html: `<p>Hello ${escapeHtml(user.name)},</p><p>your order <code>${escapeHtml(order.id)}</code> ${escapeHtml(said)} (${escapeHtml(from)} → ${escapeHtml(to)}).</p>${reason ? `<p>${escapeHtml(reason)}</p>` : ""}<p>Total: ${escapeHtml(money(order.totalCents, order.currency))}</p>`,
  };
}

export function renderStockLow({
  sku,
  available,
  threshold,
}: {
  sku: string;
  available: number;
  threshold: number;
}): Rendered {
  return {
    subject: `Low stock: ${sku}`,
    text: `${sku} is down to ${available} (threshold ${threshold}). Replenish it soon.`,
    short: `Low stock: ${sku} is down to ${available}.`,
    html: `<p><code>${escapeHtml(sku)}</code> is down to <strong>${available}</strong> (threshold ${threshold}). Replenish it soon.</p>`,
  };
}

interface Payment {
  orderId: string;
  amountCents: number;
  currency: string;
}

export function renderPaymentSucceeded(payment: Payment, user: { name: string }): Rendered {
  const paid = money(payment.amountCents, payment.currency);
  return {
    subject: `Payment received for order ${shortId(payment.orderId)}`,
    text: `Hello ${user.name},\n\nwe have received your payment of ${paid} for order ${payment.orderId}. Thank you!`,
    short: `Payment of ${paid} received for order ${shortId(payment.orderId)}.`,
    html: `<p>Hello ${escapeHtml(user.name)},</p><p>we have received your payment of ${escapeHtml(paid)} for order <code>${escapeHtml(payment.orderId)}</code>. Thank you!</p>`,
  };
}

/** A payment that failed for good, and why (the order's cancellation comes as a notice of its own). */
export function renderPaymentFailed(payment: Payment, user: { name: string }, reason: string): Rendered {
  const due = money(payment.amountCents, payment.currency);
  return {
    subject: `Payment failed for order ${shortId(payment.orderId)}`,
    text: `Hello ${user.name},\n\nyour payment of ${due} for order ${payment.orderId} failed.\n${reason}`,
    short: `Payment for order ${shortId(payment.orderId)} failed: ${reason}`,
    html: `<p>Hello ${escapeHtml(user.name)},</p><p>your payment of ${escapeHtml(due)} for order <code>${escapeHtml(payment.orderId)}</code> failed.</p><p>${escapeHtml(reason)}</p>`,
  };
}

/** One refund, and (when it is not the whole payment) how much of the payment has gone back in all. */
export function renderPaymentRefunded(
  payment: Payment & { refundedCents: number },
  refund: { amountCents: number; reason: string },
  user: { name: string },
): Rendered {
  const amount = money(refund.amountCents, payment.currency);
  const inAll =
    refund.amountCents === payment.amountCents
      ? undefined
      : `Refunded so far: ${money(payment.refundedCents, payment.currency)} of the ${money(payment.amountCents, payment.currency)} you paid.`;
  return {
    subject: `Refund of ${amount} for order ${shortId(payment.orderId)}`,
    text: `Hello ${user.name},\n\nwe have refunded ${amount} for order ${payment.orderId}.\n${refund.reason}${inAll ? `\n${inAll}` : ""}`,
    short: `Refund of ${amount} for order ${shortId(payment.orderId)}.`,
    html: `<p>Hello ${escapeHtml(user.name)},</p><p>we have refunded ${escapeHtml(amount)} for order <code>${escapeHtml(payment.orderId)}</code>.</p><p>${escapeHtml(refund.reason)}</p>${inAll ? `<p>${escapeHtml(inAll)}</p>` : ""}`,
  };
}
