/** Orders, their lines and status history in Postgres: plain functions taking db or a transaction. */
import type { Kysely, Selectable } from "kysely";
import type { Order, OrderLine, OrderStatus } from "../domain/order.js";
import type { OrderDatabase, OrderTable } from "./order.table.js";

export type OrderDb = Kysely<OrderDatabase>;

/** Stores a new (CONFIRMED) order with its lines and first history line; answers it as stored. */
export async function insertOrder(
  db: OrderDb,
  order: Pick<Order, "id" | "userId" | "items" | "totalCents" | "currency">,
  owner: { email: string; name: string },
  requestId: string,
): Promise<Order> {
  const { createdAt, updatedAt } = await db
    .insertInto("order")
    .values({
      id: order.id,
      userId: order.userId,
      status: "CONFIRMED",
      totalCents: order.totalCents,
      currency: order.currency,
      ownerEmail: owner.email,
      ownerName: owner.name,
      requestId,
    })
    .returning(["createdAt", "updatedAt"])
    .executeTakeFirstOrThrow();
  await db
    .insertInto("orderItem")
    .values(order.items.map((line, index) => ({ orderId: order.id, lineNo: index + 1, ...line })))
    .execute();
  const { at } = await db
    .insertInto("orderStatusHistory")
    .values({ orderId: order.id, version: 1, status: "CONFIRMED" })
    .returning("at")
    .executeTakeFirstOrThrow();
  return {
    ...order,
    status: "CONFIRMED",
    version: 1,
    createdAt,
    updatedAt,
    statusHistory: [{ status: "CONFIRMED", at }],
  };
}

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
 * is, with its owner (for the event); undefined if it lost.
 */
export async function transitionOrder(
  db: OrderDb,
  order: Order,
  to: OrderStatus,
): Promise<{ order: Order; owner: { id: string; email: string; name: string } } | undefined> {
  const updated = await db
    .updateTable("order")
    .set((eb) => ({ status: to, version: eb("version", "+", 1), updatedAt: new Date() }))
    .where("id", "=", order.id)
    .where("status", "=", order.status)
    .where("version", "=", order.version)
    .returning(["version", "updatedAt", "ownerEmail", "ownerName"])
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
    owner: { id: order.userId, email: updated.ownerEmail ?? "", name: updated.ownerName ?? "" },
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
