/**
 * A payment whose order is gone is called off with the provider (its payment intent cancelled, so
 * the customer's open checkout cannot take money any more). The call-off is owed in the transaction
 * that learns of the cancellation and cleared once the provider has heard it: an outage or a crash
 * in between leaves it owed, for the refund job to carry out.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("payment")
    .addColumn("call_off_owed", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema
    .createIndex("payment_call_off_owed_idx")
    .on("payment")
    .column("updated_at")
    .where(sql.ref("call_off_owed"), "=", true)
    .execute();
}
