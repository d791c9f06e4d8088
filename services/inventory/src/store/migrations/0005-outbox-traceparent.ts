import { addOutboxTraceparent, dropOutboxTraceparent } from "@platform/outbox";
import type { Kysely } from "kysely";

/** An event's trace context waits in the outbox with it, so the relay continues the trace. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await addOutboxTraceparent(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropOutboxTraceparent(db);
}
