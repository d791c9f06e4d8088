/**
 * The sandbox's checkout page: plain HTML with one form, no script and no style (the edge answers
 * /api with `Content-Security-Policy: default-src 'none'`, which a form still passes). Every value
 * shown is escaped.
 */
import { formatMoney } from "@platform/money";
import { isOpen, type Payment } from "../domain/payment.js";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const money = (minorUnits: number, currency: string) => formatMoney(minorUnits, currency, "en");

const HEADLINES: Record<Payment["status"], string> = {
  PENDING: "Pay with a test card",
  REQUIRES_ACTION: "Your bank asks you to confirm: pay again with the same card",
  SUCCEEDED: "Paid. Thank you!",
  FAILED: "The payment failed",
  CANCELLED: "The order was cancelled; it takes no payment",
  REFUNDED: "This payment was refunded",
};

export function checkoutPage(payment: Payment, clientSecret: string, message?: string): string {
  const open = isOpen(payment);
  const form = open
    ? `<form method="post" action="checkout">
  <input type="hidden" name="client_secret" value="${escapeHtml(clientSecret)}">
  <label for="card">Card number</label>
  <input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required value="4242 4242 4242 4242">
  <button type="submit">Pay ${escapeHtml(money(payment.amountCents, payment.currency))}</button>
</form>
<p>Stripe's test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined;
4000 0025 0000 3155 asks for confirmation first.</p>`
    : "";
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox checkout</title></head>
<body><main>
<h1>Sandbox checkout</h1>
<p>Order <code>${escapeHtml(payment.orderId)}</code>: <strong>${escapeHtml(money(payment.amountCents, payment.currency))}</strong></p>
<h2 role="status">${escapeHtml(HEADLINES[payment.status])}</h2>
${message ? `<p role="alert">${escapeHtml(message)}</p>` : ""}
${form}
</main></body>
</html>
`;
}
