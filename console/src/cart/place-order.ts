/** Turning the cart into an order, safe to retry: see cart.ts for how the Idempotency-Key is kept. */
import { call, type Outcome } from "../api/call";
import type { Problem } from "../api/problem";
import type { Order } from "../api/types";
import { type CartLine, cart, clearCart, forgetOrderKey, orderKey } from "./cart";

/**
 * A 4xx is the platform's final word on this request and means no order was made (it would answer
 * the same again for this key); only a request still running elsewhere (409 in progress), a 5xx or
 * no answer at all may have made one, and a retry must then carry the same key to find it.
 */
const noOrderMade = (problem: Problem) =>
  problem.status >= 400 && problem.status < 500 && problem.code !== "IDEMPOTENCY_KEY_IN_PROGRESS";

export async function placeOrder(): Promise<Outcome<Order>> {
  const key = orderKey();
  const items = cart.lines.map(({ sku, quantity }) => ({ sku, quantity }));
  const outcome = await call((api) =>
    api.POST("/api/orders", { body: { items }, params: { header: { "idempotency-key": key } } }),
  );
  if (outcome.ok) clearCart();
  else if (noOrderMade(outcome.problem)) forgetOrderKey();
  return outcome;
}

interface ShortLine {
  sku: string;
  requested: number | string;
  available: number | string;
}

/** INSUFFICIENT_STOCK's `short` lines in words, with the names the cart knows them by. */
export function shortageText(problem: Problem, lines: readonly CartLine[]): string[] {
  const short = Array.isArray(problem.short) ? (problem.short as ShortLine[]) : [];
  return short.map(({ sku, requested, available }) => {
    const name = lines.find((line) => line.sku === sku)?.name ?? sku;
    const left = Number(available);
    const have = left <= 0 ? "none left" : `only ${left} left`;
    return `${name} (${sku}): you asked for ${Number(requested)}, ${have}.`;
  });
}
