/**
 * Reconciliation (ARCHITECTURE §4): Redis holds the truth about stock, so this compares it with
 * what it should add up to, and reports (and, with `repair`, mends) drift:
 * - a SKU whose `reserved` counter differs from the sum of its reservations still held;
 * - a SKU whose `available` is below zero (reported; a person decides);
 * - a committed reservation whose order does not exist (stock sold to nobody): returned;
 * - a committed reservation whose order was cancelled (its Return never happened): returned;
 * - a reservation still held whose order stands (its Commit never happened): committed;
 * - an expired reservation whose order stands (its Commit came too late and was not carried out
 *   again): the stock taken afresh and committed, or reported when it is gone.
 * An order stands when it exists and is neither cancelled nor waiting for its payment. One that is
 * PENDING_PAYMENT (ARCHITECTURE §13) owes its Commit only once paid: its reservation stays held
 * meanwhile, and when the payment window (the reservation's TTL) ends the order service cancels the
 * order and releases it, or finds it already lapsed. Held or lapsed, it is not drift.
 * It looks at what Redis still holds: reservations in flight and those settled within
 * RESERVATION_RETENTION_SECONDS (Returns of committed stock, rare, a week). Its cost follows that,
 * not the number of orders ever placed.
 * Commit and Return are idempotent, so mending one that the order service is mending at the same
 * moment is harmless. The counter check reads reservations and counters at slightly different
 * moments: repair it while traffic is quiet.
 */
import type { OrderStatus } from "@platform/events";
import type { Logger } from "@platform/logging";
import type { PricedLine, StockStore } from "./stock-store.js";

// The order service answers with the statuses its API and events show: one definition for them all.
export type { OrderStatus };

/** The order service's answer: each id's status, or null when there is no such order. */
export type OrderStatesLookup = (ids: string[]) => Promise<Record<string, OrderStatus | null>>;

export interface Drift {
  kind:
    | "reserved-counter"
    | "negative-available"
    | "sold-without-order"
    | "cancelled-not-returned"
    | "placed-not-committed"
    | "lapsed-with-order";
  sku?: string;
  reservationId?: string;
  detail: string;
  repaired: boolean;
}

export interface ReconcileReport {
  reservations: number;
  skus: number;
  drift: Drift[];
}

const BATCH = 500;

export async function reconcile(
  stock: StockStore,
  orderStates: OrderStatesLookup,
  { repair, logger }: { repair: boolean; logger: Logger },
): Promise<ReconcileReport> {
  const drift: Drift[] = [];
  const held = new Map<string, number>();
  const toCheck: Array<{ id: string; state: "reserved" | "committed" | "expired"; lines: PricedLine[] }> = [];
  // SCAN may return a key twice (the keyspace resizing meanwhile): counted twice, a reservation's
  // stock would look held twice — a false drift, and repair would write it into the counter.
  const seen = new Set<string>();
  for await (const reservation of stock.reservations()) {
    if (seen.has(reservation.id)) continue;
    seen.add(reservation.id);
    if (reservation.state === "reserved") {
      for (const line of reservation.lines) held.set(line.sku, (held.get(line.sku) ?? 0) + line.quantity);
    }
    if (
      reservation.state === "reserved" ||
      reservation.state === "committed" ||
      reservation.state === "expired"
    ) {
      toCheck.push({ id: reservation.id, state: reservation.state, lines: reservation.lines });
    }
  }

  const levels = await stock.allLevels();
  for (const [sku, level] of levels) {
    const expected = held.get(sku) ?? 0;
    if (level.reserved !== expected) {
      if (repair) await stock.setReserved(sku, expected);
      drift.push({
        kind: "reserved-counter",
        sku,
        detail: `reserved is ${level.reserved}, its reservations hold ${expected}`,
        repaired: repair,
      });
    }
    if (level.available < 0) {
      drift.push({
        kind: "negative-available",
        sku,
        detail: `available is ${level.available}`,
        repaired: false,
      });
    }
  }

  for (let i = 0; i < toCheck.length; i += BATCH) {
    const batch = toCheck.slice(i, i + BATCH);
    const states = await orderStates(batch.map((r) => r.id));
    for (const { id, state, lines } of batch) {
      const order = states[id] ?? null;
      if (state === "expired") {
        if (!stands(order)) continue;
        const outcome = repair ? await retake(stock, id, lines) : undefined;
        drift.push({
          kind: "lapsed-with-order",
          reservationId: id,
          detail: `expired, order ${order}${outcome === "gone" ? "; its stock is gone (the order service cancels such an order)" : ""}`,
          repaired: outcome === "committed",
        });
        continue;
      }
      if (state === "committed" && (order === null || order === "CANCELLED")) {
        const kind = order === null ? "sold-without-order" : "cancelled-not-returned";
        if (repair) await stock.settle("return", id);
        drift.push({
          kind,
          reservationId: id,
          detail: `committed, order ${order ?? "missing"}`,
          repaired: repair,
        });
      } else if (state === "reserved" && stands(order)) {
        if (repair) await stock.settle("commit", id);
        drift.push({
          kind: "placed-not-committed",
          reservationId: id,
          detail: `still reserved, order ${order}`,
          repaired: repair,
        });
      }
    }
  }
  for (const item of drift) logger.warn(item, "stock drift");
  return { reservations: seen.size, skus: levels.size, drift };
}

/** An order whose stock must be sold: it exists, is not cancelled and is not waiting for its payment. */
function stands(order: OrderStatus | null): boolean {
  return order !== null && order !== "CANCELLED" && order !== "PENDING_PAYMENT";
}

/** Reserves a lapsed reservation's lines again (the same id) and commits them, if the stock is there. */
async function retake(stock: StockStore, id: string, lines: PricedLine[]): Promise<"committed" | "gone"> {
  const outcome = await stock.reserve({
    reservationId: id,
    lines: lines.map(({ sku, quantity }) => ({ sku, quantity })),
    expiresAt: Date.now() + 60_000,
    requestId: "reconcile",
  });
  if (outcome.result !== "reserved" && outcome.result !== "replayed") return "gone";
  await stock.settle("commit", id);
  return "committed";
}

/** The order service's POST /internal/orders/states as an OrderStatesLookup. */
export function orderServiceStates(orderServiceUrl: string, timeoutMs = 5_000): OrderStatesLookup {
  return async (ids) => {
    const response = await fetch(`${orderServiceUrl}/internal/orders/states`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ids }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`the order service answered ${response.status}`);
    return ((await response.json()) as { states: Record<string, OrderStatus | null> }).states;
  };
}
