/**
 * `outbox_backlog` on /metrics: how many outbox rows wait for the relay, counted when Prometheus
 * scrapes. The count walks the partial index of unpublished rows (outbox_unpublished_idx, the one
 * the relay reads by), so it costs as much as the backlog is long, never the whole table; it stops
 * at `limit`, so a relay that was down for hours cannot make a scrape slow; and it is reused for
 * `cacheMs`, so several Prometheus replicas or a dashboard refreshing often cost one query.
 */
import { reusedFor } from "@platform/jobs";
import type { Kysely } from "kysely";
import { Gauge, type Registry } from "prom-client";
import type { OutboxDb } from "./outbox.store.js";
import type { OutboxDatabase } from "./outbox.table.js";

/** The longest a scrape waits for the count. */
const MAX_WAIT_MS = 2_000;

export interface OutboxBacklogOptions {
  /** How long a count is reused (default 5 s, below any scrape interval worth having). */
  cacheMs?: number;
  /** The most it counts: past this the backlog reads as `limit` (default 100,000). */
  limit?: number;
}

export function outboxBacklogGauge(
  registry: Registry,
  db: OutboxDb,
  { cacheMs = 5_000, limit = 100_000 }: OutboxBacklogOptions = {},
): Gauge {
  const count = reusedFor(cacheMs, MAX_WAIT_MS, () => backlogCount(db, limit));
  return new Gauge({
    name: "outbox_backlog",
    help: `Outbox rows not yet relayed to their stream (counted up to ${limit})`,
    registers: [registry],
    async collect() {
      // Postgres away or slow: the scrape still answers, with the last count (/ready says why).
      const n = await count();
      if (n !== undefined) this.set(n);
    },
  });
}

/** Unpublished rows, up to `limit`. */
export async function backlogCount(db: OutboxDb, limit: number): Promise<number> {
  const { n } = await (db as Kysely<OutboxDatabase>)
    .selectFrom((eb) =>
      eb.selectFrom("outbox").select("id").where("publishedAt", "is", null).limit(limit).as("backlog"),
    )
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(n);
}
