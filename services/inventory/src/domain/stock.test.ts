import { describe, expect, test } from "bun:test";
import { AppError } from "@platform/errors";
import { mergeLines, stockStatus } from "./stock.js";

describe("mergeLines", () => {
  test("lines of one SKU become one, in the order each SKU first appears", () => {
    expect(
      mergeLines([
        { sku: "MUG-1", quantity: 2 },
        { sku: "TEE-2", quantity: 1 },
        { sku: "MUG-1", quantity: 3 },
      ]),
    ).toEqual([
      { sku: "MUG-1", quantity: 5 },
      { sku: "TEE-2", quantity: 1 },
    ]);
  });

  test.each([
    ["no lines", [], "A reservation needs at least one line."],
    [
      "a quantity of 0",
      [{ sku: "MUG-1", quantity: 0 }],
      "The quantity of MUG-1 must be a whole number of at least 1.",
    ],
    ["a fractional quantity", [{ sku: "MUG-1", quantity: 1.5 }], "must be a whole number"],
    ["a line without a SKU", [{ sku: "", quantity: 1 }], "Every line needs a SKU."],
  ])("%s is a VALIDATION_FAILED (422)", (_, lines, message) => {
    const error = (() => {
      try {
        mergeLines(lines);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "VALIDATION_FAILED", status: 422 });
    expect((error as AppError).message).toContain(message);
  });
});

describe("stockStatus", () => {
  test.each([
    [0, 5, "out_of_stock"],
    [-1, 0, "out_of_stock"],
    [5, 5, "low_stock"],
    [6, 5, "in_stock"],
    [1, 0, "in_stock"],
  ] as const)("%i available with threshold %i is %s", (available, threshold, status) => {
    expect(stockStatus({ available, threshold })).toBe(status);
  });
});
