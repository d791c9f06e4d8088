/** Orders, their lines and status history in Postgres: plain functions taking db or a transaction. */
import { preparedQuery } from "@platform/db";
import type { DomainEvent, OrderOwner } from "@platform/events";
import { type OutboxValues, outboxInsert, outboxValues } from "@platform/outbox";
import { type Kysely, type RawBuilder, type Selectable, sql } from "kysely";
import type { Order, OrderLine, OrderStatus } from "../domain/order.js";
import type { OrderDatabase, OrderTable } from "./order.table.js";

export type OrderDb = Kysely<OrderDatabase>;

/** What one placement stores, all in one statement. */
export interface PlacedOrder {
  order: Order;
  owner: OrderOwner;
  requestId: string;
  /** The order.created event for the outbox. */
  event: DomainEvent;
  eventsStream: string;
  /**
   * The task that follows the placement: the Commit (due when the request itself has not carried
   * it out) for a CONFIRMED order, the end of the payment window for one PENDING_PAYMENT.
   */
  task: { action: "commit" | "expire"; dueAt: Date };
  /** The Idempotency-Key this placement answers, completed in the same statement. */
  idempotency?: { userId: string; key: string; responseBody: unknown };
}

/**
 * Stores a new order (CONFIRMED, or PENDING_PAYMENT), its lines, its first history line, its
 * order.created outbox row, its task and (with a key) the Idempotency-Key's answer, in one
 * statement: atomic on its own and one round trip, where a transaction of six inserts took eight.
 */
export async function insertPlacedOrder(db: OrderDb, placed: PlacedOrder): Promise<void> {
  const { order, owner, requestId, idempotency } = placed;
  const lines = order.items;
  const values: PlacementValues = {
    orderId: order.id,
    userId: order.userId,
    status: order.status,
    totalCents: order.totalCents,
    currency: order.currency,
    ownerEmail: owner.email,
    ownerName: owner.name,
    ownerPhone: owner.phone ?? null,
    ownerPreferences: owner.notificationPreferences ? JSON.stringify(owner.notificationPreferences) : null,
    createdAt: order.createdAt,
    skus: lines.map((l) => l.sku),
    names: lines.map((l) => l.name),
    unitPrices: lines.map((l) => l.unitPriceCents),
    quantities: lines.map((l) => l.quantity),
    subtotals: lines.map((l) => l.subtotalCents),
    taskAction: placed.task.action,
    taskDueAt: placed.task.dueAt,
    // One `requestId` parameter serves the order and its event (the event carries the request's id).
    ...outboxValues(placed.eventsStream, placed.event),
    requestId,
  };
  if (!idempotency) await placeOrderStatement(db, values);
  else {
    const { userId: keyUserId, key, responseBody } = idempotency;
    await placeOrderCompletingKeyStatement(db, {
      ...values,
      keyUserId,
      key,
      responseBody: JSON.stringify(responseBody),
    });
  }
}

/** The placement statement's parameters. */
type PlacementValues = OutboxValues & {
  orderId: string;
  userId: string;
  status: OrderStatus;
  totalCents: number;
  currency: string;
  ownerEmail: string;
  ownerName: string;
  ownerPhone: string | null;
  /** JSON text. */
  ownerPreferences: string | null;
  createdAt: Date;
  skus: string[];
  names: string[];
  unitPrices: number[];
  quantities: number[];
  subtotals: number[];
  taskAction: "commit" | "expire";
  taskDueAt: Date;
};

type KeyValues = { keyUserId: string; key: string; responseBody: string };

const placement = (p: PlacementValues, completeKey: RawBuilder<unknown>) => sql`
  with placed as (
    insert into "order" (id, user_id, status, total_cents, currency, owner_email, owner_name, owner_phone,
                         owner_preferences, request_id, created_at, updated_at)
    values (${p.orderId}, ${p.userId}, ${p.status}, ${p.totalCents}, ${p.currency}, ${p.ownerEmail},
            ${p.ownerName}, ${p.ownerPhone}, ${p.ownerPreferences}::jsonb, ${p.requestId}, ${p.createdAt}, ${p.createdAt})
  ), lines as (
    insert into order_item (order_id, line_no, sku, name, unit_price_cents, quantity, subtotal_cents)
    select ${p.orderId}, line_no, sku, name, unit_price_cents, quantity, subtotal_cents
    from unnest(${p.skus}::text[], ${p.names}::text[], ${p.unitPrices}::bigint[], ${p.quantities}::int[],
                ${p.subtotals}::bigint[])
         with ordinality as l(sku, name, unit_price_cents, quantity, subtotal_cents, line_no)
  ), history as (
    insert into order_status_history (order_id, version, status, at) values (${p.orderId}, 1, ${p.status}, ${p.createdAt})
  ), event as (
    ${outboxInsert(p)}
  ), task as (
    insert into reservation_task (order_id, action, request_id, next_attempt_at, last_error)
    values (${p.orderId}, ${p.taskAction}, ${p.requestId}, ${p.taskDueAt}, null)
  )${completeKey}
  select 1`;

const placeOrderStatement = preparedQuery((p: PlacementValues) => placement(p, sql``));

const placeOrderCompletingKeyStatement = preparedQuery((p: PlacementValues & KeyValues) =>
  placement(
    p,
    sql`, completed as (
      update idempotency_key set state = 'done', response_status = 201, response_body = ${p.responseBody}::jsonb
      where user_id = ${p.keyUserId} and key = ${p.key})`,
  ),
);

/** A new order as placeOrder stores it (the time is the application's). */
export const newOrder = (
  fields: Pick<Order, "id" | "userId" | "items" | "totalCents" | "currency">,
  status: "CONFIRMED" | "PENDING_PAYMENT",
  at: Date,
): Order => ({
  ...fields,
  status,
  version: 1,
  createdAt: at,
  updatedAt: at,
  statusHistory: [{ status, at }],
});

export async function findOrder(db: OrderDb, id: string): Promise<Order | undefined> {
  const [order] = await loadOrders(
    db,
    await db.selectFrom("order").selectAll().where("id", "=", id).execute(),
  );
  return order;
}

export interface OrderQuery {
  userId?: string;
  status?: OrderStatus;
  /** Keyset pagination: orders older than this id (ids are UUIDv7, so time-ordered). */
  beforeId?: string;
  limit: number;
}

/** Newest first. */
export async function listOrders(db: OrderDb, query: OrderQuery): Promise<Order[]> {
  let select = db.selectFrom("order").selectAll().orderBy("id", "desc").limit(query.limit);
  if (query.userId) select = select.where("userId", "=", query.userId);
  if (query.status) select = select.where("status", "=", query.status);
  if (query.beforeId) select = select.where("id", "<", query.beforeId);
  return loadOrders(db, await select.execute());
}

/**
 * Moves an order to its next status, only if nobody changed it meanwhile (same status and version):
 * of two racing changes exactly one wins. Records the history line and answers the order as it now
 * is, with its owner as they were when they placed it (for the event); undefined if it lost.
 */
export async function transitionOrder(
  db: OrderDb,
  order: Order,
  to: OrderStatus,
  /** The owner as they are now, recorded instead of what the order had (contact details, choices). */
  owner?: OrderOwner,
): Promise<{ order: Order; owner: OrderOwner } | undefined> {
  const updated = await db
    .updateTable("order")
    .set((eb) => ({
      status: to,
      version: eb("version", "+", 1),
      updatedAt: new Date(),
      ...(owner && {
        ownerEmail: owner.email,
        ownerName: owner.name,
        ownerPhone: owner.phone ?? null,
        ownerPreferences: owner.notificationPreferences ?? null,
      }),
    }))
    .where("id", "=", order.id)
    .where("status", "=", order.status)
    .where("version", "=", order.version)
    .returning(["version", "updatedAt", "ownerEmail", "ownerName", "ownerPhone", "ownerPreferences"])
    .executeTakeFirst();
  if (!updated) return undefined;
  const { at } = await db
    .insertInto("orderStatusHistory")
    .values({ orderId: order.id, version: updated.version, status: to })
    .returning("at")
    .executeTakeFirstOrThrow();
  return {
    order: {
      ...order,
      status: to,
      version: updated.version,
      updatedAt: updated.updatedAt,
      statusHistory: [...order.statusHistory, { status: to, at }],
    },
    owner: ownerOf(order.userId, updated),
  };
}

/** What a payment needs to know of its order: who owes what, and whether it is still owed. */
export interface OrderBilling {
  orderId: string;
  status: OrderStatus;
  totalCents: number;
  currency: string;
  owner: OrderOwner;
}

export async function findBilling(db: OrderDb, id: string): Promise<OrderBilling | undefined> {
  const row = await db
    .selectFrom("order")
    .select([
      "id",
      "userId",
      "status",
      "totalCents",
      "currency",
      "ownerEmail",
      "ownerName",
      "ownerPhone",
      "ownerPreferences",
    ])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    orderId: row.id,
    status: row.status,
    totalCents: row.totalCents,
    currency: row.currency,
    owner: ownerOf(row.userId, row),
  };
}

/** The owner an order recorded (contact details and choices), as its events carry it. */
function ownerOf(
  userId: string,
  row: Pick<OrderRow, "ownerEmail" | "ownerName" | "ownerPhone" | "ownerPreferences">,
): OrderOwner {
  return {
    id: userId,
    email: row.ownerEmail ?? "",
    name: row.ownerName ?? "",
    ...(row.ownerPhone ? { phone: row.ownerPhone } : {}),
    ...(row.ownerPreferences ? { notificationPreferences: row.ownerPreferences } : {}),
  };
}

type OrderRow = Selectable<OrderTable>;

/** The status of each of these orders that exists. */
export async function orderStates(db: OrderDb, ids: readonly string[]): Promise<Map<string, OrderStatus>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom("order").select(["id", "status"]).where("id", "in", ids).execute();
  return new Map(rows.map((row) => [row.id, row.status]));
}

/** Rows with their lines and history, two queries for the whole page. */
async function loadOrders(db: OrderDb, rows: OrderRow[]): Promise<Order[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [items, history] = await Promise.all([
    db
      .selectFrom("orderItem")
      .selectAll()
      .where("orderId", "in", ids)
      .orderBy("orderId")
      .orderBy("lineNo")
      .execute(),
    db
      .selectFrom("orderStatusHistory")
      .selectAll()
      .where("orderId", "in", ids)
      .orderBy("orderId")
      .orderBy("version")
      .execute(),
  ]);
  const linesOf = new Map<string, OrderLine[]>();
  for (const { orderId, sku, name, unitPriceCents, quantity, subtotalCents } of items) {
    const lines = linesOf.get(orderId) ?? [];
    lines.push({ sku, name, unitPriceCents, quantity, subtotalCents });
    linesOf.set(orderId, lines);
  }
  const historyOf = new Map<string, Order["statusHistory"]>();
  for (const { orderId, status, at } of history) {
    const entries = historyOf.get(orderId) ?? [];
    entries.push({ status, at });
    historyOf.set(orderId, entries);
  }
  return rows.map((row) => ({
    id: row.id,
    userId: row.userId,
    status: row.status,
    items: linesOf.get(row.id) ?? [],
    totalCents: row.totalCents,
    currency: row.currency,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    statusHistory: historyOf.get(row.id) ?? [],
  }));
}
