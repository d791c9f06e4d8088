/**
 * Stock and reservations in Redis. Every mutation is one Lua script (next to this file, header
 * listing KEYS/ARGV/returns), registered once (luaScript): ioredis calls it by SHA and reloads it
 * on NOSCRIPT.
 */
import { type LuaScript, luaScript } from "@platform/redis";
import { traceparentOf } from "@platform/telemetry";
import type { Redis } from "ioredis";
import type { RequestedLine, ReservationState, StockLevel } from "../domain/stock.js";
import type { StockKeys } from "./stock-keys.js";

/** A reserved line with the catalog snapshot the order keeps. */
export interface PricedLine {
  sku: string;
  quantity: number;
  name: string;
  unitPriceCents: number;
  currency: string;
}

export type ReserveOutcome =
  | {
      result: "reserved" | "replayed";
      state: ReservationState;
      lines: PricedLine[];
      expiresAt: number;
      /** stock.low events the reservation queued in the outbox (none when replayed). */
      queuedEvents: number;
    }
  | { result: "unknown_sku"; skus: string[] }
  | { result: "insufficient"; short: Array<{ sku: string; requested: number; available: number }> };

export type SettleAction = "commit" | "release" | "expire" | "return";
export type SettleOutcome =
  | { result: "ok"; state: ReservationState; changed: boolean }
  | { result: "not_found" }
  | { result: "invalid_state" | "not_due"; state: ReservationState };

/** What Redis keeps of a product: its name and price (what a reservation prices lines with), its threshold. */
export interface SellableProduct {
  sku: string;
  name: string;
  priceCents: number;
  currency: string;
  /** Orders the copies: a newer one wins. */
  updatedAt: Date | string;
  /**
   * An archived product stays in the catalog as a tombstone (Reserve treats it as unknown), so an
   * older copy arriving late (a PATCH racing the archive) can never make it sellable again.
   */
  archived?: boolean;
  /** Copied to the stock levels with the entry (so an older threshold never overwrites a newer one). */
  lowStockThreshold?: number;
}

const catalogEntry = (product: SellableProduct) =>
  JSON.stringify([
    product.name,
    product.priceCents,
    product.currency,
    new Date(product.updatedAt).getTime(),
    ...(product.archived ? [true] : []),
  ]);

/** A catalog entry's 5th element marks an archived product (a tombstone). */
const isArchivedEntry = (entry: string) => (JSON.parse(entry) as unknown[])[4] === true;

/**
 * How long a settled reservation stays in Redis by default: as long as a reservation holds by
 * default (RESERVATION_TTL_SECONDS, 900 s), so whatever happens around one order — a retried Reserve,
 * an idempotency takeover after a crash (30 s lease), a Commit or a Return retried with backoff —
 * still finds it, and a reconciliation every 15 minutes sees every settlement once.
 */
export const DEFAULT_SETTLED_RETENTION_SECONDS = 900;

/**
 * How long the record of a Return of committed stock is kept (made from the reservation's record, or
 * from the order's lines when that was gone): a week, so a Return repeated after any outage answers
 * the same instead of giving the stock back twice. Returns are rare (a cancel after the Commit) and
 * their records small.
 */
const RETURN_RETENTION_SECONDS = 7 * 24 * 3600;

/** Lines as the scripts read them: JSON [[sku, quantity], ...]. */
const linesJson = (lines: readonly RequestedLine[]) => JSON.stringify(lines.map((l) => [l.sku, l.quantity]));

export class StockStore {
  private readonly scripts: Record<"reserve" | "settle" | "setStock" | "replenish", LuaScript<string>>;
  private readonly setSellableScript: LuaScript<number>;

  constructor(
    private readonly redis: Redis,
    readonly keys: StockKeys,
    /** How long a settled (committed, released, expired, returned) reservation is kept. */
    private readonly settledRetentionSeconds = DEFAULT_SETTLED_RETENTION_SECONDS,
  ) {
    const script = (file: string) => luaScript<string>(redis, new URL(file, import.meta.url));
    this.scripts = {
      reserve: script("./reserve-5.lua"),
      settle: script("./settle-3.lua"),
      setStock: script("./set-stock-1.lua"),
      replenish: script("./replenish-3.lua"),
    };
    this.setSellableScript = luaScript<number>(redis, new URL("./set-sellable-2.lua", import.meta.url));
  }

  /** Reserves the lines, priced from the sellable catalog in Redis (one script, no database read). */
  async reserve(input: {
    reservationId: string;
    lines: Array<{ sku: string; quantity: number }>;
    expiresAt: number;
    requestId: string;
  }): Promise<ReserveOutcome> {
    const { keys } = this;
    const raw = await this.scripts.reserve(
      keys.levels,
      keys.reservation(input.reservationId),
      keys.expiry,
      keys.outbox,
      keys.catalog,
      input.reservationId,
      linesJson(input.lines),
      input.expiresAt,
      JSON.stringify(input.lines.map(() => Bun.randomUUIDv7())),
      new Date().toISOString(),
      input.requestId,
      traceparentOf() ?? "",
    );
    const reply = JSON.parse(raw);
    if (reply.result === "reserved" || reply.result === "replayed") {
      const lines = (reply.lines as Array<[string, number, string, number, string]>).map(
        ([sku, quantity, name, unitPriceCents, currency]) => ({
          sku,
          quantity,
          name,
          unitPriceCents,
          currency,
        }),
      );
      return {
        result: reply.result,
        state: reply.state,
        lines,
        expiresAt: reply.expiresAt,
        queuedEvents: reply.events ?? 0,
      };
    }
    if (reply.result === "insufficient") {
      const short = (reply.short as Array<[string, number, number]>).map(([sku, requested, available]) => ({
        sku,
        requested,
        available,
      }));
      return { result: "insufficient", short };
    }
    return { result: "unknown_sku", skus: reply.skus };
  }

  /**
   * Settles a reservation (settle-3.lua). `committedLines`, for a return only: the order's lines when
   * its reservation was committed, returned from if its record is gone (kept settledRetentionSeconds).
   */
  async settle(
    action: SettleAction,
    reservationId: string,
    {
      now = Date.now(),
      committedLines = [],
    }: { now?: number; committedLines?: readonly RequestedLine[] } = {},
  ): Promise<SettleOutcome> {
    const { keys } = this;
    const raw = await this.scripts.settle(
      keys.levels,
      keys.reservation(reservationId),
      keys.expiry,
      action,
      reservationId,
      now,
      this.settledRetentionSeconds,
      committedLines.length > 0 ? linesJson(committedLines) : "",
      RETURN_RETENTION_SECONDS,
    );
    return JSON.parse(raw) as SettleOutcome;
  }

  /** Sets a new product's stock counters (it becomes sellable once committed: setSellable). */
  async setStock(sku: string, available: number, threshold: number): Promise<void> {
    await this.scripts.setStock(this.keys.levels, sku, available, threshold);
  }

  /**
   * Gives products whose stock counters Redis lost (a crash within its last second of unsynced
   * writes, right after the product was made) counters again: nothing available, nothing reserved,
   * their threshold. Never touches counters that exist. Answers the SKUs it restored.
   */
  async restoreLostCounters(
    products: ReadonlyArray<{ sku: string; lowStockThreshold: number }>,
  ): Promise<string[]> {
    if (products.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { sku, lowStockThreshold } of products) {
      pipeline.hsetnx(this.keys.levels, `${sku}:available`, 0);
      pipeline.hsetnx(this.keys.levels, `${sku}:reserved`, 0);
      pipeline.hsetnx(this.keys.levels, `${sku}:threshold`, lowStockThreshold);
    }
    const replies = (await pipeline.exec()) ?? [];
    return products.filter((_, i) => replies[i * 3]?.[1] === 1).map((p) => p.sku);
  }

  /** Copies products' names, prices and thresholds into Redis, never over a newer copy. */
  async setSellable(products: readonly SellableProduct[]): Promise<void> {
    if (products.length === 0) return;
    await this.setSellableScript(
      this.keys.catalog,
      this.keys.levels,
      ...products.flatMap((p) => [p.sku, catalogEntry(p), p.lowStockThreshold ?? ""]),
    );
  }

  /**
   * SKUs in the sellable catalog, for the start-up check against Postgres; not the archived ones'
   * tombstones, which must stay (Postgres lists no archived product as sellable either).
   */
  async sellableSkus(): Promise<string[]> {
    const sellable = new Set<string>(); // HSCAN may return an entry twice
    for await (const skus of this.sellablePages()) for (const sku of skus) sellable.add(sku);
    return [...sellable];
  }

  /**
   * The sellable (not archived) SKUs of the catalog, a page at a time with HSCAN, so no single
   * command holds Redis for long however large the catalog. A SKU may come twice.
   */
  private async *sellablePages(): AsyncGenerator<string[]> {
    let cursor = "0";
    do {
      const [next, page] = await this.redis.hscan(this.keys.catalog, cursor, "COUNT", 500);
      cursor = next;
      const skus: string[] = [];
      for (let i = 0; i + 1 < page.length; i += 2) {
        if (!isArchivedEntry(page[i + 1] as string)) skus.push(page[i] as string);
      }
      yield skus;
    } while (cursor !== "0");
  }

  /** Takes SKUs out of the sellable catalog (no such product in Postgres). */
  async unsellable(skus: readonly string[]): Promise<void> {
    if (skus.length > 0) await this.redis.hdel(this.keys.catalog, ...skus);
  }

  /**
   * Undoes setStock for a product whose transaction did not commit. Nobody can have reserved it:
   * it never became sellable.
   */
  async removeStock(sku: string): Promise<void> {
    await this.redis.hdel(
      this.keys.levels,
      `${sku}:available`,
      `${sku}:reserved`,
      `${sku}:threshold`,
      `${sku}:low`,
    );
  }

  async replenish(
    sku: string,
    quantity: number,
    requestId: string,
  ): Promise<
    { result: "ok"; available: number; reserved: number; threshold: number } | { result: "not_found" }
  > {
    const raw = await this.scripts.replenish(
      this.keys.levels,
      this.keys.outbox,
      this.keys.catalog,
      sku,
      quantity,
      Bun.randomUUIDv7(),
      new Date().toISOString(),
      requestId,
      traceparentOf() ?? "",
    );
    return JSON.parse(raw);
  }

  /** Levels of the given SKUs; a SKU with no stock record is missing from the map. */
  async levels(skus: readonly string[]): Promise<Map<string, StockLevel>> {
    const found = new Map<string, StockLevel>();
    if (skus.length === 0) return found;
    const fields = skus.flatMap((sku) => [`${sku}:available`, `${sku}:reserved`, `${sku}:threshold`]);
    const values = await this.redis.hmget(this.keys.levels, ...fields);
    skus.forEach((sku, i) => {
      const [available, reserved, threshold] = values.slice(i * 3, i * 3 + 3);
      if (available === null || available === undefined) return;
      found.set(sku, {
        sku,
        available: Number(available),
        reserved: Number(reserved ?? 0),
        threshold: Number(threshold ?? 0),
      });
    });
    return found;
  }

  /** Every reservation record (SCAN, so it does not block Redis), for the reconciliation. */
  async *reservations(): AsyncGenerator<{ id: string; state: ReservationState; lines: PricedLine[] }> {
    const prefix = this.keys.reservation("");
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      for (const key of keys) {
        const [state, lines] = await this.redis.hmget(key, "state", "lines");
        if (!state || !lines) continue;
        const parsed = (JSON.parse(lines) as Array<[string, number, string, number, string]>).map(
          ([sku, quantity, name, unitPriceCents, currency]) => ({
            sku,
            quantity,
            name,
            unitPriceCents,
            currency,
          }),
        );
        yield { id: key.slice(prefix.length), state: state as ReservationState, lines: parsed };
      }
    } while (cursor !== "0");
  }

  /**
   * How many sellable (not archived) products are at or below their low-stock threshold, out of
   * stock included: the catalog a page at a time (sellablePages), with one HMGET of its levels each.
   */
  async lowStockCount(): Promise<number> {
    const low = new Set<string>(); // a SKU may come twice
    for await (const skus of this.sellablePages()) {
      for (const level of (await this.levels(skus)).values()) {
        if (level.available <= level.threshold) low.add(level.sku);
      }
    }
    return low.size;
  }

  /** Every SKU's counters, for the reconciliation. */
  async allLevels(): Promise<Map<string, StockLevel>> {
    const fields = await this.redis.hgetall(this.keys.levels);
    const skus = Object.keys(fields)
      .filter((field) => field.endsWith(":available"))
      .map((field) => field.slice(0, -":available".length));
    return this.levels(skus);
  }

  /** Repair: sets a SKU's reserved counter to the value its reservations add up to. */
  async setReserved(sku: string, reserved: number): Promise<void> {
    await this.redis.hset(this.keys.levels, `${sku}:reserved`, reserved);
  }

  /** Reservations whose expiry has passed, oldest first. */
  dueReservations(now: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.expiry, "-inf", now, "LIMIT", 0, limit);
  }
}
