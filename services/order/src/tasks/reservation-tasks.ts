/**
 * Carries out the inventory calls an order owes after its transaction (Commit after placing, Return
 * after cancelling). Each is tried at once; a failure leaves the task in Postgres, and the worker
 * retries it with backoff, so an inventory outage after the commit loses nothing. An `expire` task
 * ends an unpaid order's payment window: still PENDING_PAYMENT then, the order is cancelled and its
 * stock given back (a Return task).
 *
 * A Commit that finds its reservation no longer holding the stock (it expired while the order
 * service was down past the TTL, or its record is gone) reserves the order's lines again and
 * commits that; if the stock is gone meanwhile the order is cancelled (with an order.status.updated
 * event saying why) rather than left confirmed without stock. A failure nothing can fix is kept,
 * logged as an error and not retried (reconciliation reports it).
 */
import { AppError } from "@platform/errors";
import { PollingLoop } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import type { OutboxRelay } from "@platform/outbox";
import { ClientError, Status } from "nice-grpc";
import type { ReservationClient } from "../clients/reservation-client.js";
import { findOrder, type OrderDb } from "../store/order.store.js";
import {
  addTask,
  deferTask,
  deleteCommitTasks,
  deleteTasks,
  dueTasks,
  lockCommitTask,
  lockTask,
  type ReservationTask,
} from "../store/reservation-task.store.js";
import { recordTransition, tryTransition } from "../use-cases/change-status.js";

export interface ReservationTasksOptions {
  db: OrderDb;
  inventory: ReservationClient;
  /** Nudged after a task cancelled an order (its event waits in the outbox). */
  relay: Pick<OutboxRelay, "nudge">;
  logger: Logger;
  eventsStream: string;
  reservationTtlSeconds: number;
  intervalMs?: number;
}

/** Why the platform cancels an order whose reservation lapsed and whose stock is gone. */
export const OUT_OF_STOCK_REASON =
  "The reserved stock lapsed before the order was settled and is no longer available.";

/** Why the platform cancels an order that was not paid in time. */
export const PAYMENT_WINDOW_REASON = "The order was not paid within its payment window.";

/** How long finished Commit tasks gather before they are deleted together. */
const COMPLETION_FLUSH_MS = 20;

export class ReservationTasks {
  private readonly loop: PollingLoop;
  private completed: string[] = [];
  private completionTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set by stop(): a round under way ends after the task in hand. */
  private stopping = false;

  constructor(private readonly options: ReservationTasksOptions) {
    this.loop = new PollingLoop({
      name: "reservation tasks",
      run: () => this.runDue(),
      intervalMs: options.intervalMs ?? 1_000,
      logger: options.logger,
    });
  }

  start(): void {
    this.stopping = false;
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop.stop();
    await this.flushCompleted();
  }

  /**
   * The Commit of an order just placed, right away and without a lock: Commit is idempotent, a
   * cancel meanwhile is seen (the order is then owed nothing), and the worker leaves the task alone
   * until its grace period ends. Finished tasks are deleted in batches; one whose deletion is lost
   * (a crash) is committed again by the worker, harmlessly. Never throws: what fails here is left to
   * the worker.
   */
  async commitNow(orderId: string, requestId: string): Promise<void> {
    const log = this.options.logger.child({ orderId, action: "commit", requestId });
    try {
      if (await this.commit(this.options.db, { orderId, action: "commit", requestId }, log)) {
        this.completed.push(orderId);
        this.completionTimer ??= setTimeout(() => void this.flushCompleted(), COMPLETION_FLUSH_MS);
      }
    } catch (error) {
      log.warn({ err: error }, "the Commit failed; the task worker will retry it");
    }
  }

  private async flushCompleted(): Promise<void> {
    clearTimeout(this.completionTimer);
    this.completionTimer = undefined;
    const orderIds = this.completed;
    this.completed = [];
    await deleteCommitTasks(this.options.db, orderIds).catch((err) =>
      this.options.logger.warn(
        { err, tasks: orderIds.length },
        "could not delete finished Commit tasks; they will run again",
      ),
    );
  }

  /**
   * Tries one task now, right after the transaction that created it. Never throws: the change that
   * owes it is committed already, and its caller must not answer a failure for it (a retry would
   * be refused); what fails here (Postgres away) is left to the worker.
   */
  async runNow(task: Pick<ReservationTask, "orderId" | "action" | "requestId">): Promise<boolean> {
    try {
      return await this.tryTask(task);
    } catch (error) {
      this.options.logger.warn(
        { err: error, orderId: task.orderId, action: task.action, requestId: task.requestId },
        "the task could not be tried now; the task worker will",
      );
      return false;
    }
  }

  /**
   * Every due task, once, each in a transaction of its own; resolves to how many succeeded. One
   * transaction for the batch would hold every task's lock while each in turn waits on the
   * inventory: a cancel or a payment's outcome of any order in it would wait that long too. A
   * failure of Postgres ends the round (the polling loop backs off), as does stop().
   */
  async runDue(): Promise<number> {
    let done = 0;
    for (const task of await dueTasks(this.options.db, 50)) {
      if (this.stopping) break;
      // Due: still due when locked (another replica may have deferred it meanwhile).
      if (await this.tryTask(task, { due: true })) done++;
    }
    return done;
  }

  /** One task in a transaction of its own, if no one else holds it; a Postgres failure is thrown. */
  private tryTask(
    task: Pick<ReservationTask, "orderId" | "action" | "requestId">,
    { due = false } = {},
  ): Promise<boolean> {
    return this.options.db.transaction().execute(async (trx) => {
      const locked = await lockTask(trx, task.orderId, task.action, { due });
      return locked ? this.attempt(trx, locked) : false;
    });
  }

  private async attempt(trx: OrderDb, task: ReservationTask): Promise<boolean> {
    const { logger } = this.options;
    const log = logger.child({ orderId: task.orderId, action: task.action, requestId: task.requestId });
    try {
      if (task.action === "return") await this.returnStock(trx, task, log);
      else if (task.action === "expire") await this.expire(trx, task, log);
      else if (!(await this.commit(trx, task, log))) return false;
      await deleteTasks(trx, task.orderId, [task.action]);
      if (task.attempts > 0) log.info({ attempts: task.attempts + 1 }, "reservation task done after retries");
      return true;
    } catch (error) {
      const transient = error instanceof AppError && error.code === "DEPENDENCY_UNAVAILABLE";
      const message = error instanceof ClientError ? error.details : String(error);
      if (transient) {
        const retryInMs = Math.min(60_000, 500 * 2 ** task.attempts);
        log.warn({ err: error, retryInMs }, "reservation task failed; will retry");
        await deferTask(trx, { orderId: task.orderId, action: task.action, error: message, retryInMs });
      } else {
        log.error({ err: error }, "reservation task failed and will not be retried; it needs attention");
        await deferTask(trx, { orderId: task.orderId, action: task.action, error: message, retryInMs: null });
      }
      return false;
    }
  }

  /**
   * Gives the order's stock back. For a committed reservation the order's lines go along: its record
   * in the inventory is kept only for a while, and without it they are what goes back. One never
   * committed whose record is gone expired long ago, and its stock went back then: nothing is owed.
   */
  private async returnStock(trx: OrderDb, task: ReservationTask, log: Logger): Promise<void> {
    const order = task.committed ? await findOrder(trx, task.orderId) : undefined;
    const lines = order ? reservedLines(order) : [];
    try {
      await this.options.inventory.returnStock(task.orderId, task.requestId, lines);
    } catch (error) {
      if (task.committed || !(error instanceof ClientError && error.code === Status.NOT_FOUND)) throw error;
      log.info("the reservation had expired and is gone; its stock went back then");
    }
  }

  /**
   * Ends the payment window: an order still PENDING_PAYMENT is cancelled and a Return owed (it
   * releases the reservation). Paid or cancelled meanwhile, the order is owed nothing; a payment
   * that lands while this runs loses the conditional update or wins it, never both.
   */
  private async expire(trx: OrderDb, task: ReservationTask, log: Logger): Promise<void> {
    const order = await findOrder(trx, task.orderId);
    if (order?.status !== "PENDING_PAYMENT") return;
    // The owner the order recorded: a call to the user service here would hold the task's lock (and
    // a pool connection) for as long as that service is slow.
    const cancelled = await tryTransition(
      trx,
      this.options.eventsStream,
      order,
      "CANCELLED",
      task.requestId,
      {
        reason: PAYMENT_WINDOW_REASON,
      },
    );
    if (!cancelled) return; // paid just now
    await addTask(trx, { orderId: task.orderId, action: "return", requestId: task.requestId });
    this.options.relay.nudge();
    log.info("the order was not paid in time; cancelled, its stock to be released");
  }

  /**
   * Commits the order's reservation, taking the stock afresh if the reservation lapsed. Resolves to
   * false when the order was cancelled instead (the task is then gone with it).
   */
  private async commit(
    db: OrderDb,
    task: Pick<ReservationTask, "orderId" | "action" | "requestId">,
    log: Logger,
  ): Promise<boolean> {
    const { inventory, eventsStream, reservationTtlSeconds } = this.options;
    try {
      await inventory.commit(task.orderId, task.requestId);
      return true;
    } catch (error) {
      const lapsed =
        error instanceof ClientError &&
        (error.code === Status.FAILED_PRECONDITION || error.code === Status.NOT_FOUND);
      if (!lapsed) throw error;
    }
    // Under the task's lock, so a cancel cannot slip between the check and the new reservation.
    return inTransaction(db, async (trx) => {
      if (!(await lockCommitTask(trx, task.orderId))) return true; // done by another, or cancelled
      const order = await findOrder(trx, task.orderId);
      // Nothing stored, or cancelled meanwhile (its Return settles the reservation): nothing owed.
      if (!order || order.status === "CANCELLED") return true;
      const lines = reservedLines(order);
      try {
        await inventory.reserve(order.id, lines, reservationTtlSeconds, task.requestId);
      } catch (error) {
        const gone =
          error instanceof AppError && (error.code === "INSUFFICIENT_STOCK" || error.code === "UNKNOWN_SKU");
        if (!gone || order.status !== "CONFIRMED") throw error;
        await recordTransition(trx, eventsStream, order, "CANCELLED", task.requestId, {
          reason: OUT_OF_STOCK_REASON,
        });
        await deleteTasks(trx, task.orderId, [task.action]);
        this.options.relay.nudge();
        log.error(
          { status: order.status },
          "the order's reservation lapsed and its stock is gone; order cancelled",
        );
        return false;
      }
      await inventory.commit(task.orderId, task.requestId);
      // Gone with this lock: a cancel waiting for it must find the Commit done, not owed.
      await deleteTasks(trx, task.orderId, [task.action]);
      log.warn("the order's reservation had lapsed; its stock was reserved again and committed");
      return true;
    });
  }
}
/** Runs in the caller's transaction, or in a new one. */
function inTransaction<T>(db: OrderDb, work: (trx: OrderDb) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** What an order's reservation holds: its lines' SKUs and quantities. */
const reservedLines = (order: { items: ReadonlyArray<{ sku: string; quantity: number }> }) =>
  order.items.map(({ sku, quantity }) => ({ sku, quantity }));
