/** The words of each notification: as text, as HTML (every value escaped), and one short line (SMS). */
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

/** One formatter per currency, built once: building an Intl.NumberFormat costs far more than using it. */
const formatters = new Map<string, Intl.NumberFormat>();
function money(cents: number, currency: string): string {
  let format = formatters.get(currency);
  if (!format) {
    format = new Intl.NumberFormat("en-GB", { style: "currency", currency });
    formatters.set(currency, format);
  }
  return format.format(cents / 100);
}

const shortId = (id: string) => id.slice(-8);

export function renderOrderCreated(
  order: { id: string; items: Line[]; totalCents: number; currency: string },
  user: { name: string },
): Rendered {
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
    subject: `Order ${shortId(order.id)} confirmed`,
    text: [
      `Hello ${user.name},`,
      "",
      `we have your order ${order.id}:`,
      "",
      ...lines,
      "",
      `Total: ${total}`,
    ].join("\n"),
    short: `Order ${shortId(order.id)} confirmed: ${order.items.length === 1 ? "1 item" : `${order.items.length} items`}, total ${total}.`,
    html: `<p>Hello ${escapeHtml(user.name)},</p><p>we have your order <code>${escapeHtml(order.id)}</code>:</p><table><thead><tr><th align="left">Item</th><th>Qty</th><th>Price</th><th>Subtotal</th></tr></thead><tbody>${rows}</tbody><tfoot><tr><td colspan="3"><strong>Total</strong></td><td align="right"><strong>${escapeHtml(total)}</strong></td></tr></tfoot></table>`,
  };
}

export function renderStatusUpdated(
  order: { id: string; totalCents: number; currency: string },
  user: { name: string },
  from: string,
  to: string,
  /** Why, when the platform made the change itself. */
  reason?: string,
): Rendered {
  const words: Record<string, string> = {
    SHIPPED: "is on its way",
    DELIVERED: "was delivered",
    CANCELLED: "was cancelled",
  };
  const said = words[to] ?? `is now ${to}`;
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
