/** Notifications and their delivery state in Postgres: plain functions taking the database first. */
import { preparedQuery } from "@platform/db";
import { type Kysely, sql } from "kysely";
import type { Channel, NewNotification, NotificationStatus } from "../domain/notification.js";
import type { NotificationDatabase, NotificationRow } from "./notification.table.js";

export type NotificationDb = Kysely<NotificationDatabase>;

/**
 * Stores events' notifications; those stored already for (event, channel) are left as they are.
 * The ones `claim` says the caller will deliver at once are claimed for `leaseMs`; the others are
 * due now, for whichever lane has room. Answers the rows it stored.
 */
export async function insertNotifications(
  db: NotificationDb,
  notifications: NewNotification[],
  { leaseMs, claim }: { leaseMs: number; claim: (notification: { channel: Channel }) => boolean },
): Promise<NotificationRow[]> {
  if (notifications.length === 0) return [];
  const now = new Date();
  const claimedUntil = new Date(now.getTime() + leaseMs);
  const { rows } = await insertNotificationsStatement(db, {
    ids: notifications.map(() => Bun.randomUUIDv7()),
    eventIds: notifications.map((n) => n.eventId),
    eventTypes: notifications.map((n) => n.eventType),
    channels: notifications.map((n) => n.channel),
    userIds: notifications.map((n) => n.userId),
    orderIds: notifications.map((n) => n.orderId),
    recipients: notifications.map((n) => n.recipient),
    subjects: notifications.map((n) => n.subject),
    bodiesText: notifications.map((n) => n.bodyText),
    bodiesHtml: notifications.map((n) => n.bodyHtml),
    data: notifications.map((n) => JSON.stringify(n.data)),
    traceparents: notifications.map((n) => n.traceparent),
    nextAttempts: notifications.map((n) => (claim(n) ? claimedUntil : now)),
  });
  return rows;
}

// One array per column (unnest), not a row of values per notification: one shape whatever the batch.
const insertNotificationsStatement = preparedQuery(
  (p: {
    ids: string[];
    eventIds: string[];
    eventTypes: string[];
    channels: Channel[];
    userIds: Array<string | null>;
    orderIds: Array<string | null>;
    recipients: string[];
    subjects: string[];
    bodiesText: string[];
    bodiesHtml: string[];
    /** JSON text. */
    data: string[];
    traceparents: Array<string | null>;
    nextAttempts: Date[];
  }) => sql<NotificationRow>`
    insert into notification (id, event_id, event_type, channel, user_id, order_id, recipient, subject,
                              body_text, body_html, data, traceparent, next_attempt_at)
    select * from unnest(${p.ids}::uuid[], ${p.eventIds}::text[], ${p.eventTypes}::text[],
                         ${p.channels}::text[], ${p.userIds}::uuid[], ${p.orderIds}::uuid[],
                         ${p.recipients}::text[], ${p.subjects}::text[], ${p.bodiesText}::text[],
                         ${p.bodiesHtml}::text[], ${p.data}::jsonb[], ${p.traceparents}::text[],
                         ${p.nextAttempts}::timestamptz[])
    on conflict (event_id, channel) do nothing
    returning *`,
);

/**
 * Takes up to `limit` due notifications of one channel for delivery: their next attempt moves a
 * lease ahead, so another replica skips them, and one whose deliverer died comes due again when the
 * lease ends.
 */
export async function claimDue(
  db: NotificationDb,
  channel: Channel,
  limit: number,
  leaseMs: number,
): Promise<NotificationRow[]> {
  const now = Date.now();
  const { rows } = await claimDueStatement(db, {
    channel,
    limit,
    now: new Date(now),
    leaseEnds: new Date(now + leaseMs),
  });
  return rows;
}

const claimDueStatement = preparedQuery(
  (p: { channel: Channel; limit: number; now: Date; leaseEnds: Date }, db: NotificationDb) =>
    db
      .updateTable("notification")
      .set({ nextAttemptAt: p.leaseEnds })
      .where("id", "in", (eb) =>
        eb
          .selectFrom("notification")
          .select("id")
          .where("status", "=", "pending")
          .where("channel", "=", p.channel)
          .where("nextAttemptAt", "<=", p.now)
          .orderBy("nextAttemptAt")
          .limit(p.limit)
          .forUpdate()
          .skipLocked(),
      )
      .returningAll(),
);

/** What became of one delivery attempt. */
export type Outcome =
  | { id: string; sentAt: Date }
  /** Tried again at `retryAt`; failed for good when there is none. `charged`: it counts as an attempt. */
  | { id: string; error: string; retryAt: Date | null; charged: boolean };

/**
 * Records many attempts in two statements (the sent ones, the failed ones), so the bookkeeping of a
 * busy channel costs a round trip per batch rather than one per message.
 */
export async function recordOutcomes(db: NotificationDb, outcomes: readonly Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const sent = (o: Outcome): o is Extract<Outcome, { sentAt: Date }> => "sentAt" in o;
  await recordOutcomesStatement(db, {
    ids: outcomes.map((o) => o.id),
    statuses: outcomes.map((o) => (sent(o) ? "sent" : o.retryAt ? "pending" : "failed")),
    charged: outcomes.map((o) => (sent(o) ? true : o.charged)),
    errors: outcomes.map((o) => (sent(o) ? null : o.error.slice(0, 1000))),
    sentAts: outcomes.map((o) => (sent(o) ? o.sentAt : null)),
    retryAts: outcomes.map((o) => (sent(o) ? null : o.retryAt)),
  });
}

// One statement for the whole batch: atomic, so a retry after a failure cannot count an attempt
// twice; and only a pending notification changes (an outcome that arrives twice changes nothing).
const recordOutcomesStatement = preparedQuery(
  (p: {
    ids: string[];
    statuses: NotificationStatus[];
    charged: boolean[];
    errors: Array<string | null>;
    sentAts: Array<Date | null>;
    retryAts: Array<Date | null>;
  }) => sql`
    update notification n
    set status = v.status,
        attempts = n.attempts + v.charged::int,
        last_error = v.error,
        sent_at = v.sent_at,
        next_attempt_at = coalesce(v.retry_at, now()),
        updated_at = now()
    from unnest(${p.ids}::uuid[], ${p.statuses}::text[], ${p.charged}::boolean[], ${p.errors}::text[],
                ${p.sentAts}::timestamptz[], ${p.retryAts}::timestamptz[])
         as v(id, status, charged, error, sent_at, retry_at)
    where n.id = v.id and n.status = 'pending'`,
);

/** Notifications waiting or given up on, by channel and status (the backlog the metrics show). */
export async function backlog(
  db: NotificationDb,
): Promise<Array<{ channel: Channel; status: NotificationStatus; count: number }>> {
  return db
    .selectFrom("notification")
    .select(["channel", "status", sql<number>`count(*)::int`.as("count")])
    .where("status", "in", ["pending", "failed"])
    .groupBy(["channel", "status"])
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

/**
 * Deletes up to `limit` notifications that are done (sent, or failed) and were created before the
 * cutoff; pending ones are never deleted. Resolves to how many went.
 */
export async function pruneNotifications(db: NotificationDb, before: Date, limit = 1_000): Promise<number> {
  const result = await db
    .deleteFrom("notification")
    .where("id", "in", (eb) =>
      eb
        .selectFrom("notification")
        .select("id")
        .where("status", "in", ["sent", "failed"])
        .where("createdAt", "<", before)
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
