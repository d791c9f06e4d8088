import { type Kysely, sql } from "kysely";

/**
 * Payments (ARCHITECTURE §13): an order may wait in PENDING_PAYMENT, and a task ends its payment
 * window (`expire`: cancel the order and release its stock when it is still unpaid by then).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table "order" drop constraint order_status_check,
    add constraint order_status_check
    check (status in ('PENDING_PAYMENT', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED'))`.execute(db);
  await sql`alter table reservation_task drop constraint reservation_task_action_check,
    add constraint reservation_task_action_check check (action in ('commit', 'return', 'expire'))`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table reservation_task drop constraint reservation_task_action_check,
    add constraint reservation_task_action_check check (action in ('commit', 'return'))`.execute(db);
  await sql`alter table "order" drop constraint order_status_check,
    add constraint order_status_check
    check (status in ('CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED'))`.execute(db);
}
