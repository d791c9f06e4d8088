import { type Kysely, sql } from "kysely";

/**
 * A Return task says whether the order's reservation was committed: the inventory keeps a settled
 * reservation's record only for a while, and the Return of a committed one whose record is gone
 * gives the stock back from the order's lines, which the task then sends.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table reservation_task add column committed boolean not null default false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table reservation_task drop column committed`.execute(db);
}
