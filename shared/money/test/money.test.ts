import { describe, expect, test } from "bun:test";
import { formatMoney } from "../src/index.js";

describe("formatMoney", () => {
  test("minor units in the currency's own decimal places", () => {
    expect([
      formatMoney(1999, "EUR", "en-GB"),
      formatMoney(500, "JPY", "en-GB"),
      formatMoney(1234, "KWD", "en-GB"),
    ]).toEqual([
      "€19.99",
      "JP¥500",
      "KWD\u00a01.234", // a no-break space
    ]);
    expect(formatMoney(1999, "USD", "en")).toBe("$19.99");
  });
});
