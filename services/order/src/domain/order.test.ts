import { describe, expect, test } from "bun:test";
import { AppError } from "@platform/errors";
import { orderLines, priceLines } from "./order.js";
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

describe("orderLines", () => {
  test("lines of one SKU become one, in the order each SKU first appears", () => {
    expect(
      orderLines([
        { sku: "A-1", quantity: 2 },
        { sku: "B-1", quantity: 1 },
        { sku: "A-1", quantity: 3 },
      ]),
    ).toEqual([
      { sku: "A-1", quantity: 5 },
      { sku: "B-1", quantity: 1 },
    ]);
  });

  test("lines of one SKU that add up past the per-line maximum are a VALIDATION_FAILED", () => {
    const attempt = () =>
      orderLines([
        { sku: "A-1", quantity: 6_000 },
        { sku: "A-1", quantity: 6_000 },
      ]);
    expect(attempt).toThrow(AppError);
    expect(attempt).toThrow(/at most 10000 of one SKU/);
  });
});

test("priceLines refuses a total past Number.MAX_SAFE_INTEGER instead of rounding it", () => {
  const line = { name: "Gold", unitPriceCents: 100_000_000_000, quantity: 10_000, currency: "EUR" };
  const lines = Array.from({ length: 10 }, (_, i) => ({ ...line, sku: `GOLD-${i}` }));
  expect(() => priceLines(lines)).toThrow(/would exceed 9007199254740991/);
});
