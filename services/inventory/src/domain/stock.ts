/** Stock levels, reservation lines and the rules around them: pure functions, no I/O. */
import { AppError } from "@platform/errors";

export type StockStatus = "in_stock" | "low_stock" | "out_of_stock";
export type ReservationState = "reserved" | "committed" | "released" | "returned" | "expired";

export interface StockLevel {
  sku: string;
  available: number;
  reserved: number;
  threshold: number;
}

export function stockStatus({
  available,
  threshold,
}: Pick<StockLevel, "available" | "threshold">): StockStatus {
  if (available <= 0) return "out_of_stock";
  return available <= threshold ? "low_stock" : "in_stock";
}

export interface RequestedLine {
  sku: string;
  quantity: number;
}

/** Lines for the same SKU become one; an empty list or a quantity below 1 is a caller's mistake. */
export function mergeLines(lines: readonly RequestedLine[]): RequestedLine[] {
  if (lines.length === 0) throw new AppError("VALIDATION_FAILED", "A reservation needs at least one line.");
  const merged = new Map<string, number>();
  for (const { sku, quantity } of lines) {
    if (!Number.isSafeInteger(quantity) || quantity < 1) {
      throw new AppError(
        "VALIDATION_FAILED",
        `The quantity of ${sku || "a line"} must be a whole number of at least 1.`,
      );
    }
    if (!sku) throw new AppError("VALIDATION_FAILED", "Every line needs a SKU.");
    merged.set(sku, (merged.get(sku) ?? 0) + quantity);
  }
  return [...merged].map(([sku, quantity]) => ({ sku, quantity }));
}
