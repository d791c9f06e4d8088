/**
 * Returns to stock the reservations whose order never committed, once their expiry has passed.
 * Safe with several replicas sweeping at once: the settle script checks state and expiry
 * atomically, so a reservation expires exactly once.
 */
import type { Logger } from "@platform/logging";
import type { StockStore } from "./stock-store.js";

export class ReservationSweeper {
  private timer: ReturnType<typeof setInterval> | undefined;
  private sweeping: Promise<unknown> | undefined;

  constructor(
    private readonly store: StockStore,
    private readonly logger: Logger,
    private readonly intervalMs = 1_000,
    private readonly batchSize = 100,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweepOnce()
        .catch((err) => this.logger.warn({ err }, "reservation sweep failed"))
        .finally(() => {
          this.sweeping = undefined;
        });
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** Expires up to one batch of the reservations due by `now`; resolves to how many it expired. */
  async sweepOnce(now = Date.now()): Promise<number> {
    let expired = 0;
    for (const reservationId of await this.store.dueReservations(now, this.batchSize)) {
      const outcome = await this.store.settle("expire", reservationId, now);
      if (outcome.result === "ok" && outcome.changed) {
        expired++;
        this.logger.info({ reservationId }, "reservation expired; stock returned");
      }
    }
    return expired;
  }
}
