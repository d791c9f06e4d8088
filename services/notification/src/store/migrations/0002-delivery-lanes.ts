import { type Kysely, sql } from "kysely";

/**
 * Each channel's delivery lane claims its own due notifications, and the backlog metric counts
 * pending and failed ones by channel: both read these partial indexes instead of the whole table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index notification_channel_due_idx on notification (channel, next_attempt_at) where status = 'pending'`.execute(
    db,
  );
  await sql`create index notification_failed_idx on notification (channel) where status = 'failed'`.execute(
    db,
  );
  await sql`drop index notification_due_idx`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index notification_due_idx on notification (next_attempt_at) where status = 'pending'`.execute(
    db,
  );
  await sql`drop index notification_failed_idx`.execute(db);
  await sql`drop index notification_channel_due_idx`.execute(db);
}
