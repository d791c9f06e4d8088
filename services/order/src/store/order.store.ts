/** Orders, their lines and status history in Postgres: plain functions taking db or a transaction. */
import type { Kysely, Selectable } from "kysely";
import type { Order, OrderLine, OrderStatus } from "../domain/order.js";
import type { OrderDatabase, OrderTable } from "./order.table.js";

export type OrderDb = Kysely<OrderDatabase>;

const UNIQUE_VIOLATION = "23505";
export const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === UNIQUE_VIOLATION;

export async function insertOrder(
  db: OrderDb,
  order: Pick<Order, "id" | "userId" | "items" | "totalCents" | "currency">,
  owner: { email: string; name: string },
  requestId: string,
): Promise<void> {
  await db
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
    .execute();
  await db
    .insertInto("orderItem")
    .values(order.items.map((line, index) => ({ orderId: order.id, lineNo: index + 1, ...line })))
    .execute();
  await db
    .insertInto("orderStatusHistory")
    .values({ orderId: order.id, version: 1, status: "CONFIRMED" })
    .execute();
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
 * Moves an order from one status to the next, only if nobody changed it meanwhile (same status and
 * version): of two racing changes exactly one wins. Records the history line. Undefined if it lost.
 */
export async function transitionOrder(
  db: OrderDb,
  { id, from, to, version }: { id: string; from: OrderStatus; to: OrderStatus; version: number },
): Promise<{ version: number } | undefined> {
  const updated = await db
    .updateTable("order")
    .set((eb) => ({ status: to, version: eb("version", "+", 1), updatedAt: new Date() }))
    .where("id", "=", id)
    .where("status", "=", from)
    .where("version", "=", version)
    .returning("version")
    .executeTakeFirst();
  if (!updated) return undefined;
  await db
    .insertInto("orderStatusHistory")
    .values({ orderId: id, version: updated.version, status: to })
    .execute();
  return updated;
}

type OrderRow = Selectable<OrderTable>;

/** The status of each of these orders that exists. */
export async function orderStates(db: OrderDb, ids: readonly string[]): Promise<Map<string, OrderStatus>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom("order").select(["id", "status"]).where("id", "in", ids).execute();
  return new Map(rows.map((row) => [row.id, row.status]));
}

/** Who placed the order, as it was when they did (for the events). */
export async function findOrderOwner(
  db: OrderDb,
  id: string,
): Promise<{ id: string; email: string; name: string }> {
  const row = await db
    .selectFrom("order")
    .select(["userId", "ownerEmail", "ownerName"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return { id: row.userId, email: row.ownerEmail ?? "", name: row.ownerName ?? "" };
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
