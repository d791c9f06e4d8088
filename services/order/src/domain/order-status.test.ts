import { describe, expect, test } from "bun:test";
import { priceLines } from "./order.js";
import { assertTransition, canTransition } from "./order-status.js";

describe("order status", () => {
  test.each([
    ["CONFIRMED", "SHIPPED", true],
    ["SHIPPED", "DELIVERED", true],
    ["CONFIRMED", "CANCELLED", true],
    ["CONFIRMED", "DELIVERED", false],
    ["SHIPPED", "CANCELLED", false],
    ["DELIVERED", "SHIPPED", false],
    ["CANCELLED", "CONFIRMED", false],
    ["CANCELLED", "CANCELLED", false],
  ] as const)("%s → %s allowed: %p", (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
    if (!allowed) expect(() => assertTransition(from, to)).toThrow(/cannot become/);
  });
});

describe("priceLines", () => {
  test("computes subtotals and the total from the reserved prices", () => {
    const priced = priceLines([
      { sku: "A-1", name: "A", unitPriceCents: 250, quantity: 3, currency: "EUR" },
      { sku: "B-1", name: "B", unitPriceCents: 1999, quantity: 1, currency: "EUR" },
    ]);
    expect(priced.totalCents).toBe(2749);
    expect(priced.currency).toBe("EUR");
    expect(priced.items.map((line) => line.subtotalCents)).toEqual([750, 1999]);
  });

  test("refuses lines in more than one currency", () => {
    expect(() =>
      priceLines([
        { sku: "A-1", name: "A", unitPriceCents: 1, quantity: 1, currency: "EUR" },
        { sku: "B-1", name: "B", unitPriceCents: 1, quantity: 1, currency: "USD" },
      ]),
    ).toThrow(/one currency/);
  });
});
