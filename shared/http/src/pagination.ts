/**
 * Keyset pagination, the one way every list pages (ARCHITECTURE §5): `?limit=` (default 20, max
 * 100) and an opaque `?cursor=`, answered as `{ items, nextCursor }`. A list reads `limit + 1` rows
 * after the cursor's position; the extra row only says that another page follows.
 */
import { t } from "elysia";
import { decodeCursor, encodeCursor } from "./cursor.js";

/**
 * The `limit` and `cursor` members of a list's query schema. A cursor can carry a sort value as
 * long as a product's name (200 characters, up to 800 bytes of UTF-8, a third more in base64url):
 * the bound leaves room for that and refuses what no list gives out.
 */
export const PageQuery = {
  limit: t.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: t.Optional(t.String({ maxLength: 2048 })),
};

/** A page's response schema around the item schema. */
export const PageOf = <T extends Parameters<typeof t.Array>[0]>(item: T) =>
  t.Object({ items: t.Array(item), nextCursor: t.Nullable(t.String()) });

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface KeysetPageOptions<Row, Position, Item> {
  cursor: string | undefined;
  limit: number;
  /** Whether a decoded cursor is a position this list gave out (else 422 VALIDATION_FAILED). */
  isPosition: (value: unknown) => value is Position;
  /** The rows after `after` (from the start when undefined), in the list's order, at most `limit`. */
  fetch: (after: Position | undefined, limit: number) => Promise<Row[]>;
  /** Where a row stands in the list's order: the next page starts after the last row's position. */
  positionOf: (row: Row) => Position;
  view: (row: Row) => Item;
}

export async function keysetPage<Row, Position, Item>(
  options: KeysetPageOptions<Row, Position, Item>,
): Promise<Page<Item>> {
  const { cursor, limit } = options;
  const after = cursor === undefined ? undefined : decodeCursor(cursor, options.isPosition);
  const rows = await options.fetch(after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(options.view),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(options.positionOf(last)) : null,
  };
}
