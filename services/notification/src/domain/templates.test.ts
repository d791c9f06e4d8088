import { describe, expect, test } from "bun:test";
import { renderOrderCreated, renderStatusUpdated, renderStockLow } from "./templates.js";

const order = {
  id: "0193a3c2-7e4a-7000-8000-00000000abcd",
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

  test("another currency is formatted as such", () => {
    const { text } = renderOrderCreated({ ...order, currency: "JPY", totalCents: 450_000 }, { name: "Ken" });
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

  test("low stock names the SKU, what is left and the threshold", () => {
    expect(renderStockLow({ sku: "LAMP-9", available: 2, threshold: 5 })).toEqual({
      subject: "Low stock: LAMP-9",
      text: "LAMP-9 is down to 2 (threshold 5). Replenish it soon.",
      html: "<p><code>LAMP-9</code> is down to <strong>2</strong> (threshold 5). Replenish it soon.</p>",
      short: "Low stock: LAMP-9 is down to 2.",
    });
  });
});
