/**
 * Every Redis key of the stock store, built in one place. All share the hash tag `{stock}`, so each
 * multi-key script stays in one slot under Redis Cluster.
 */
export interface StockKeys {
  /** Hash of per-SKU fields: "<sku>:available", ":reserved", ":threshold", ":low". */
  levels: string;
  reservation: (reservationId: string) => string;
  /** Sorted set: reservation id -> expiry (ms), swept for reservations whose order never committed. */
  expiry: string;
  /** Hash: sku -> JSON [name, unitPriceCents, currency], the sellable part of the catalog. */
  catalog: string;
  /** Inventory events waiting for the relay to move them to the stream. */
  outbox: string;
  /** Held by the one replica relaying the outbox at a time. */
  relayLock: string;
}

export function stockKeys(prefix = ""): StockKeys {
  const base = `${prefix}{stock}`;
  return {
    levels: `${base}:levels`,
    reservation: (reservationId) => `${base}:reservation:${reservationId}`,
    expiry: `${base}:expiry`,
    catalog: `${base}:catalog`,
    outbox: `${base}:outbox`,
    relayLock: `${base}:relay-lock`,
  };
}
