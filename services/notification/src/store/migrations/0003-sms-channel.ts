import { type Kysely, sql } from "kysely";

/** The sms channel joins the others. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table notification drop constraint notification_channel_check`.execute(db);
  await sql`alter table notification add constraint notification_channel_check
    check (channel in ('log', 'email', 'webhook', 'websocket', 'sms'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from notification where channel = 'sms'`.execute(db);
  await sql`alter table notification drop constraint notification_channel_check`.execute(db);
  await sql`alter table notification add constraint notification_channel_check
    check (channel in ('log', 'email', 'webhook', 'websocket'))`.execute(db);
}
