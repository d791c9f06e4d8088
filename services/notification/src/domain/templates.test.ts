import { describe, expect, test } from "bun:test";
import {
  renderOrderCreated,
  renderPaymentFailed,
  renderPaymentRefunded,
  renderPaymentSucceeded,
  renderStatusUpdated,
  renderStockLow,
} from "./templates.js";

const order = {
  id: "0193a3c2-7e4a-7000-8000-00000000abcd",
  status: "CONFIRMED",
  items: [
    { sku: "MUG-1", name: "Mug", quantity: 2, unitPriceCents: 1250, subtotalCents: 2500 },
    { sku: "TEE-2", name: "Tee <XL>", quantity: 1, unitPriceCents: 1999, subtotalCents: 1999 },
  ],
  totalCents: 4499,
  currency: "EUR",
};

describe("templates", () => {
  test("an order confirmation lists every line with its prices and the total, in the order's currency", () => {
    const { subject, text } = renderOrderCreated(order, { name: "Ada" });
    expect(subject).toBe("Order 0000abcd confirmed");
    expect(text.split("\n")).toEqual([
      "Hello Ada,",
      "",
      `we have your order ${order.id}:`,
      "",
      "2 × Mug (MUG-1) at €12.50 = €25.00",
      "1 × Tee <XL> (TEE-2) at €19.99 = €19.99",
      "",
      "Total: €44.99",
    ]);
  });

  test("an order waiting for its payment is received, not confirmed, and says it is confirmed once paid", () => {
    const awaiting = renderOrderCreated({ ...order, status: "PENDING_PAYMENT" }, { name: "Ada" });
    expect(awaiting.subject).toBe("Order 0000abcd received, awaiting payment");
    expect(awaiting.text).toEndWith("Total: €44.99\n\nWe confirm it as soon as your payment is through.");
    expect(awaiting.html).toEndWith("</table><p>We confirm it as soon as your payment is through.</p>");
    expect(awaiting.short).toBe("Order 0000abcd received, awaiting payment: 2 items, total €44.99.");
    for (const said of [awaiting.subject, awaiting.text, awaiting.html, awaiting.short]) {
      expect(said).not.toContain("confirmed");
    }
  });

  test("a text message is one short line: the order, how many items, the total", () => {
    expect(renderOrderCreated(order, { name: "Ada" }).short).toBe(
      "Order 0000abcd confirmed: 2 items, total €44.99.",
    );
  });

  test("HTML escapes every value a customer or an admin typed", () => {
    const { html } = renderOrderCreated(order, { name: `<script>alert("x")</script>` });
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("Tee &lt;XL&gt;");
    expect(html).not.toContain("<script>");
  });

  test("another currency is formatted as such, in its own minor units (a yen has no cents)", () => {
    const { text } = renderOrderCreated({ ...order, currency: "JPY", totalCents: 4_500 }, { name: "Ken" });
    expect(text).toContain("Total: JP¥4,500");
  });

  test("a status change says what happened, and why when the platform did it", () => {
    const shipped = renderStatusUpdated(order, { name: "Ada" }, "CONFIRMED", "SHIPPED");
    expect(shipped.subject).toBe("Order 0000abcd is on its way");
    expect(shipped.text).toContain("(CONFIRMED → SHIPPED).\nTotal: €44.99");
    const cancelled = renderStatusUpdated(
      order,
      { name: "Ada" },
      "CONFIRMED",
      "CANCELLED",
      "Out of stock: MUG-1.",
    );
    expect(cancelled.subject).toBe("Order 0000abcd was cancelled");
    expect(cancelled.text).toContain("\nOut of stock: MUG-1.\n");
    expect(cancelled.html).toContain("<p>Out of stock: MUG-1.</p>");
    expect(cancelled.short).toBe("Order 0000abcd was cancelled.");
  });

  test("an order that waited for its payment reads as paid and confirmed when it is", () => {
    const paid = renderStatusUpdated(order, { name: "Ada" }, "PENDING_PAYMENT", "CONFIRMED");
    expect(paid.subject).toBe("Order 0000abcd was paid and is confirmed");
    expect(paid.text).toContain(
      `your order ${order.id} was paid and is confirmed (PENDING_PAYMENT → CONFIRMED).`,
    );
    expect(paid.short).toBe("Order 0000abcd was paid and is confirmed.");
    const unpaid = renderStatusUpdated(
      order,
      { name: "Ada" },
      "PENDING_PAYMENT",
      "CANCELLED",
      "The order was not paid within its payment window.",
    );
    expect(unpaid.subject).toBe("Order 0000abcd was cancelled");
    expect(unpaid.text).toContain("\nThe order was not paid within its payment window.\n");
  });

  const payment = { orderId: order.id, amountCents: 4499, refundedCents: 0, currency: "EUR" };

  test("a payment received names the amount and the order", () => {
    expect(renderPaymentSucceeded(payment, { name: "Ada" })).toEqual({
      subject: "Payment received for order 0000abcd",
      text: `Hello Ada,\n\nwe have received your payment of €44.99 for order ${order.id}. Thank you!`,
      short: "Payment of €44.99 received for order 0000abcd.",
      html: `<p>Hello Ada,</p><p>we have received your payment of €44.99 for order <code>${order.id}</code>. Thank you!</p>`,
    });
  });

  test("a failed payment says why, escaped in HTML", () => {
    const failed = renderPaymentFailed(payment, { name: "Ada" }, "Your card <4242> was declined.");
    expect(failed.subject).toBe("Payment failed for order 0000abcd");
    expect(failed.text).toBe(
      `Hello Ada,\n\nyour payment of €44.99 for order ${order.id} failed.\nYour card <4242> was declined.`,
    );
    expect(failed.short).toBe("Payment for order 0000abcd failed: Your card <4242> was declined.");
    expect(failed.html).toContain("<p>Your card &lt;4242&gt; was declined.</p>");
  });

  test("a refund names its amount in the payment's currency and why; a partial one what has gone back in all", () => {
    const whole = renderPaymentRefunded(
      { ...payment, refundedCents: 4499 },
      { amountCents: 4499, reason: "Order cancelled." },
      { name: "Ada" },
    );
    expect(whole.subject).toBe("Refund of €44.99 for order 0000abcd");
    expect(whole.text).toBe(`Hello Ada,\n\nwe have refunded €44.99 for order ${order.id}.\nOrder cancelled.`);
    expect(whole.short).toBe("Refund of €44.99 for order 0000abcd.");
    const part = renderPaymentRefunded(
      { ...payment, currency: "GBP", refundedCents: 2000 },
      { amountCents: 1500, reason: "One item came back." },
      { name: "Ken" },
    );
    expect(part.subject).toBe("Refund of £15.00 for order 0000abcd");
    expect(part.text).toEndWith("One item came back.\nRefunded so far: £20.00 of the £44.99 you paid.");
    expect(part.html).toContain("<p>Refunded so far: £20.00 of the £44.99 you paid.</p>");
  });

  test("low stock names the SKU, what is left and the threshold", () => {
    expect(renderStockLow({ sku: "LAMP-9", available: 2, threshold: 5 })).toEqual({
      subject: "Low stock: LAMP-9",
      text: "LAMP-9 is down to 2 (threshold 5). Replenish it soon.",
      html: "<p><code>LAMP-9</code> is down to <strong>2</strong> (threshold 5). Replenish it soon.</p>",
      short: "Low stock: LAMP-9 is down to 2.",
    });
  });
});
