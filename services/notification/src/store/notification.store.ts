/** Notifications and their delivery state in Postgres: plain functions taking the database first. */
import { type Kysely, sql } from "kysely";
import type { NewNotification, NotificationStatus } from "../domain/notification.js";
import type { NotificationDatabase, NotificationRow } from "./notification.table.js";

export type NotificationDb = Kysely<NotificationDatabase>;

/** Stores an event's notifications; those stored already for (event, channel) are left as they are. */
export async function insertNotifications(
  db: NotificationDb,
  notifications: NewNotification[],
): Promise<number> {
  if (notifications.length === 0) return 0;
  const result = await db
    .insertInto("notification")
    .values(
      notifications.map(({ data, ...n }) => ({
        id: Bun.randomUUIDv7(),
        ...n,
        data: JSON.stringify(data),
        lastError: null,
        sentAt: null,
      })),
    )
    .onConflict((oc) => oc.columns(["eventId", "channel"]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/**
 * Takes up to `limit` due notifications for delivery: their next attempt moves a lease ahead, so
 * another replica skips them, and one whose deliverer died comes due again when the lease ends.
 */
export function claimDue(db: NotificationDb, limit: number, leaseMs: number): Promise<NotificationRow[]> {
  return db
    .updateTable("notification")
    .set({ nextAttemptAt: new Date(Date.now() + leaseMs) })
    .where("id", "in", (eb) =>
      eb
        .selectFrom("notification")
        .select("id")
        .where("status", "=", "pending")
        .where("nextAttemptAt", "<=", new Date())
        .orderBy("nextAttemptAt")
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
}

export async function markSent(db: NotificationDb, id: string): Promise<void> {
  await db
    .updateTable("notification")
    .set((eb) => ({
      status: "sent",
      attempts: eb("attempts", "+", 1),
      lastError: null,
      sentAt: new Date(),
      updatedAt: new Date(),
    }))
    .where("id", "=", id)
    .execute();
}

/** Records a failed attempt: tried again at `retryAt`, or failed for good when there is none. */
export async function markAttemptFailed(
  db: NotificationDb,
  id: string,
  error: string,
  retryAt: Date | null,
): Promise<void> {
  await db
    .updateTable("notification")
    .set((eb) => ({
      status: retryAt ? "pending" : "failed",
      attempts: eb("attempts", "+", 1),
      lastError: error.slice(0, 1000),
      nextAttemptAt: retryAt ?? sql<Date>`now()`,
      updatedAt: new Date(),
    }))
    .where("id", "=", id)
    .execute();
}

/** An admin's retry of a failed notification: pending again, attempts from zero. */
export function retryFailed(db: NotificationDb, id: string): Promise<NotificationRow | undefined> {
  return db
    .updateTable("notification")
    .set({ status: "pending", attempts: 0, nextAttemptAt: new Date(), updatedAt: new Date() })
    .where("id", "=", id)
    .where("status", "=", "failed")
    .returningAll()
    .executeTakeFirst();
}

export function findNotification(db: NotificationDb, id: string): Promise<NotificationRow | undefined> {
  return db.selectFrom("notification").selectAll().where("id", "=", id).executeTakeFirst();
}

export interface NotificationQuery {
  userId?: string;
  orderId?: string;
  status?: NotificationStatus;
  beforeId?: string;
  limit: number;
}

/** Newest first (ids are UUIDv7). */
export function listNotifications(db: NotificationDb, query: NotificationQuery): Promise<NotificationRow[]> {
  let select = db.selectFrom("notification").selectAll().orderBy("id", "desc").limit(query.limit);
  if (query.userId) select = select.where("userId", "=", query.userId);
  if (query.orderId) select = select.where("orderId", "=", query.orderId);
  if (query.status) select = select.where("status", "=", query.status);
  if (query.beforeId) select = select.where("id", "<", query.beforeId);
  return select.execute();
}
