/**
 * Returns to stock the reservations whose order never committed, once their expiry has passed.
 * Safe with several replicas sweeping at once: the settle script checks state and expiry
 * atomically, so a reservation expires exactly once.
 */
import { PollingLoop } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import type { StockStore } from "./stock-store.js";

export class ReservationSweeper {
  private readonly loop: PollingLoop;

  constructor(
    private readonly store: StockStore,
    private readonly logger: Logger,
    intervalMs = 1_000,
    private readonly batchSize = 100,
  ) {
    this.loop = new PollingLoop({
      name: "reservation sweeper",
      run: () => this.sweepOnce(),
      intervalMs,
      logger,
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Expires up to one batch of the reservations due by `now`; resolves to how many it expired. */
  async sweepOnce(now = Date.now()): Promise<number> {
    let expired = 0;
    for (const reservationId of await this.store.dueReservations(now, this.batchSize)) {
      const outcome = await this.store.settle("expire", reservationId, { now });
      if (outcome.result === "ok" && outcome.changed) {
        expired++;
        this.logger.info({ reservationId }, "reservation expired; stock returned");
      }
    }
    return expired;
  }
}
