/**
 * Work owed after a commit: Commit once an order is stored (or paid), Return once it is cancelled,
 * Expire when an unpaid order's payment window ends. Written in the same transaction as the
 * change, deleted once done.
 */
import { anyOf, preparedQuery } from "@platform/db";
import { sql } from "kysely";
import type { OrderDb } from "./order.store.js";

export type ReservationAction = "commit" | "return" | "expire";

export interface ReservationTask {
  orderId: string;
  action: ReservationAction;
  requestId: string;
  attempts: number;
  /** A return: the reservation was committed, so the Return sends the order's lines. */
  committed: boolean;
}

const TASK_COLUMNS = ["orderId", "action", "requestId", "attempts", "committed"] as const;

/** A task due now, or at `dueAt`. */
export async function addTask(
  db: OrderDb,
  { dueAt, ...task }: Omit<ReservationTask, "attempts" | "committed"> & { dueAt?: Date; committed?: boolean },
): Promise<void> {
  await db
    .insertInto("reservationTask")
    .values({ ...task, lastError: null, ...(dueAt && { nextAttemptAt: dueAt }) })
    .execute();
}

/**
 * Due tasks, oldest first, but those another replica is carrying out now. Run outside a transaction:
 * the rows' locks end with the statement (each is locked again by lockTask when its turn comes), and
 * SKIP LOCKED still passes over what others hold, so a replica does not list the same fifty as one
 * held up by a slow inventory and never reach the rest.
 */
export function dueTasks(db: OrderDb, limit: number): Promise<ReservationTask[]> {
  return db
    .selectFrom("reservationTask")
    .select(TASK_COLUMNS)
    .where("nextAttemptAt", "<=", new Date())
    .orderBy("nextAttemptAt")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/**
 * One task, locked for this transaction; undefined if done, held by another replica or (with `due`)
 * no longer due.
 */
export function lockTask(
  db: OrderDb,
  orderId: string,
  action: ReservationAction,
  { due = false } = {},
): Promise<ReservationTask | undefined> {
  return db
    .selectFrom("reservationTask")
    .select(TASK_COLUMNS)
    .where("orderId", "=", orderId)
    .where("action", "=", action)
    .$if(due, (query) => query.where("nextAttemptAt", "<=", new Date()))
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

/**
 * Waits for and locks an order's Commit task, if it is still owed; the lock that a worker carrying
 * it out holds too. Taken first by anything that also changes the order, so two such transactions
 * always lock in the same order (the task, then the order) and never deadlock.
 */
export async function lockCommitTask(db: OrderDb, orderId: string): Promise<boolean> {
  return (await commitTask(db, orderId).forUpdate().executeTakeFirst()) !== undefined;
}

/**
 * Waits for and locks the order's tasks that a change of the order drops (its Commit, its window's
 * end), before that change touches the order: the task worker locks tasks, then the order, so
 * everything that changes an order with tasks locks in that order too and never deadlocks with it.
 */
export async function lockOrderTasks(db: OrderDb, orderId: string): Promise<void> {
  await db
    .selectFrom("reservationTask")
    .select("action")
    .where("orderId", "=", orderId)
    .where("action", "in", ["commit", "expire"])
    .forUpdate()
    .execute();
}

/** Whether the order's Commit is still owed. */
export async function commitOwed(db: OrderDb, orderId: string): Promise<boolean> {
  return (await commitTask(db, orderId).executeTakeFirst()) !== undefined;
}

const commitTask = (db: OrderDb, orderId: string) =>
  db
    .selectFrom("reservationTask")
    .select("orderId")
    .where("orderId", "=", orderId)
    .where("action", "=", "commit");

/** The Commit tasks of these orders, done: deleted in one statement. */
export async function deleteCommitTasks(db: OrderDb, orderIds: readonly string[]): Promise<void> {
  if (orderIds.length === 0) return;
  await deleteCommitTasksStatement(db, { orderIds });
}

const deleteCommitTasksStatement = preparedQuery((p: { orderIds: readonly string[] }, db: OrderDb) =>
  db
    .deleteFrom("reservationTask")
    .where("action", "=", "commit")
    .where("orderId", "=", anyOf(p.orderIds, "uuid")),
);

/** Drops the order's tasks of these actions (those it has); answers the actions dropped. */
export async function deleteTasks(
  db: OrderDb,
  orderId: string,
  actions: readonly [ReservationAction, ...ReservationAction[]],
): Promise<ReservationAction[]> {
  const deleted = await db
    .deleteFrom("reservationTask")
    .where("orderId", "=", orderId)
    .where("action", "in", actions)
    .returning("action")
    .execute();
  return deleted.map((task) => task.action);
}

/** Records a failed attempt and when to try again (never, for a failure retrying cannot fix). */
export async function deferTask(
  db: OrderDb,
  {
    orderId,
    action,
    error,
    retryInMs,
  }: { orderId: string; action: ReservationAction; error: string; retryInMs: number | null },
): Promise<void> {
  await db
    .updateTable("reservationTask")
    .set((eb) => ({
      attempts: eb("attempts", "+", 1),
      lastError: error,
      nextAttemptAt:
        retryInMs === null ? sql<Date>`'infinity'::timestamptz` : new Date(Date.now() + retryInMs),
    }))
    .where("orderId", "=", orderId)
    .where("action", "=", action)
    .execute();
}
