/**
 * The cart of this tab, kept in sessionStorage with the Idempotency-Key of the order it is about to
 * become. The key is made on the first "Place order" and kept until the order is placed, so a
 * second click, a retry after a lost answer or a reload sends the same key and the platform answers
 * with the one order it made. Changing the cart makes it another request: the key is dropped.
 */
import { computed, reactive } from "vue";
import type { Product } from "../api/types";

export interface CartLine {
  sku: string;
  name: string;
  /** The catalog's price when added: the order takes the price at placement. */
  priceCents: number;
  currency: string;
  quantity: number;
}

interface StoredCart {
  lines: CartLine[];
  idempotencyKey: string | null;
}

/** The most one order line may ask for (ARCHITECTURE §2). */
export const MAX_QUANTITY = 10_000;

const KEY = "console.cart";

function read(): StoredCart {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Partial<StoredCart> | null;
    return { lines: stored?.lines ?? [], idempotencyKey: stored?.idempotencyKey ?? null };
  } catch {
    return { lines: [], idempotencyKey: null };
  }
}

export const cart = reactive<StoredCart>(read());

const save = () => sessionStorage.setItem(KEY, JSON.stringify(cart));

/** Every change to the lines goes through here: it is another order now, so another key. */
function changeLines(change: () => void): void {
  change();
  cart.idempotencyKey = null;
  save();
}

const clamp = (quantity: number) => Math.min(MAX_QUANTITY, Math.max(1, Math.floor(quantity)));

/** How many items the cart holds (the header's "Cart (N)"). */
export const cartCount = computed(() => cart.lines.reduce((count, line) => count + line.quantity, 0));

/** The cart's total per currency (an order is in one currency; a mixed cart is refused on placing). */
export const cartTotals = computed(() => {
  const totals = new Map<string, number>();
  for (const line of cart.lines) {
    totals.set(line.currency, (totals.get(line.currency) ?? 0) + line.priceCents * line.quantity);
  }
  return [...totals].map(([currency, cents]) => ({ currency, cents }));
});

export function addToCart(product: Product, quantity: number): void {
  changeLines(() => {
    const line = cart.lines.find((candidate) => candidate.sku === product.sku);
    if (line) line.quantity = clamp(line.quantity + quantity);
    else
      cart.lines.push({
        sku: product.sku,
        name: product.name,
        priceCents: product.priceCents,
        currency: product.currency,
        quantity: clamp(quantity),
      });
  });
}

export function setQuantity(sku: string, quantity: number): void {
  const line = cart.lines.find((candidate) => candidate.sku === sku);
  if (!line || !Number.isFinite(quantity) || clamp(quantity) === line.quantity) return;
  changeLines(() => {
    line.quantity = clamp(quantity);
  });
}

export function removeLine(sku: string): void {
  changeLines(() => {
    cart.lines = cart.lines.filter((line) => line.sku !== sku);
  });
}

export function clearCart(): void {
  changeLines(() => {
    cart.lines = [];
  });
}

/** The key of the order this cart is about to become: the one made before, else a new one. */
export function orderKey(): string {
  cart.idempotencyKey ??= crypto.randomUUID();
  save();
  return cart.idempotencyKey;
}

/** The platform gave a final answer for the key (no order made): the next try is a new request. */
export function forgetOrderKey(): void {
  cart.idempotencyKey = null;
  save();
}
