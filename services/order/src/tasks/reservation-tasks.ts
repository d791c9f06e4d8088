/**
 * Carries out the inventory calls an order owes after its transaction (Commit after placing, Return
 * after cancelling). Each is tried at once; a failure leaves the task in Postgres, and the worker
 * retries it with backoff, so an inventory outage after the commit loses nothing. A failure that
 * retrying cannot fix (the reservation expired before its commit) is kept, logged as an error and
 * not retried.
 */
import { AppError } from "@platform/http";
import { PollingLoop } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import { ClientError } from "nice-grpc";
import type { InventoryGateway } from "../clients/inventory-gateway.js";
import type { OrderDb } from "../store/order.store.js";
import {
  deferTask,
  deleteTask,
  lockDueTasks,
  lockTask,
  type ReservationTask,
} from "../store/reservation-task.store.js";

export class ReservationTasks {
  private readonly loop: PollingLoop;

  constructor(
    private readonly db: OrderDb,
    private readonly inventory: InventoryGateway,
    private readonly logger: Logger,
    intervalMs = 1_000,
  ) {
    this.loop = new PollingLoop({ name: "reservation tasks", run: () => this.runDue(), intervalMs, logger });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Tries one task now (right after the transaction that created it); never throws. */
  async runNow(task: Omit<ReservationTask, "attempts">): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const locked = await lockTask(trx, task.orderId, task.action);
      return locked ? this.attempt(trx, locked) : false;
    });
  }

  /** Every due task, once; resolves to how many succeeded. */
  async runDue(): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      let done = 0;
      for (const task of await lockDueTasks(trx, 50)) if (await this.attempt(trx, task)) done++;
      return done;
    });
  }

  private async attempt(db: OrderDb, task: ReservationTask): Promise<boolean> {
    const log = this.logger.child({ orderId: task.orderId, action: task.action, requestId: task.requestId });
    try {
      if (task.action === "commit") await this.inventory.commit(task.orderId, task.requestId);
      else await this.inventory.returnStock(task.orderId, task.requestId);
      await deleteTask(db, task.orderId, task.action);
      if (task.attempts > 0) log.info({ attempts: task.attempts + 1 }, "reservation task done after retries");
      return true;
    } catch (error) {
      const transient = error instanceof AppError && error.code === "DEPENDENCY_UNAVAILABLE";
      const message = error instanceof ClientError ? error.details : String(error);
      if (transient) {
        const retryInMs = Math.min(60_000, 500 * 2 ** task.attempts);
        log.warn({ err: error, retryInMs }, "reservation task failed; will retry");
        await deferTask(db, { orderId: task.orderId, action: task.action, error: message, retryInMs });
      } else {
        log.error({ err: error }, "reservation task failed and will not be retried; it needs attention");
        await deferTask(db, { orderId: task.orderId, action: task.action, error: message, retryInMs: null });
      }
      return false;
    }
  }
}
