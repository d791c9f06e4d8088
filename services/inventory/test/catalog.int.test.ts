/** The catalog REST API on real Postgres and Redis (ARCHITECTURE §5, products). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTokenVerifier } from "@platform/auth";
import { fieldsToRecord } from "@platform/events";
import type { Problem } from "@platform/http";
import { createLogger } from "@platform/logging";
import { eventually } from "@platform/testing";
import { Redis } from "ioredis";
import { sql } from "kysely";
import { createApp } from "../src/app.js";
import { stockKeys } from "../src/stock/stock-keys.js";
import { StockStore } from "../src/stock/stock-store.js";
import { applyProductChanges, syncSellableCatalog } from "../src/use-cases/catalog.js";
import { createInventoryTestContext, type InventoryTestContext } from "./test-context.js";

const silent = createLogger({ service: "inventory", level: "silent" });

let ctx: InventoryTestContext;
beforeAll(async () => {
  ctx = await createInventoryTestContext();
  ctx.stockEvents.start();
  ctx.catalogEvents.start();
});
afterAll(() => ctx.close());

type ProductBody = {
  sku: string;
  available: number;
  stockStatus: string;
  priceCents: number;
  name: string;
  updatedAt: string;
};
const events = async (type: string, sku: string) =>
  (await ctx.redis.xrange(ctx.config.EVENTS_STREAM, "-", "+"))
    .map(([, fields]) => fieldsToRecord(fields))
    .filter((e) => e.type === type && (e.payload ?? "").includes(`"${sku}"`));

describe("products", () => {
  test("an admin creates a product with its stock; it reads back with available and stockStatus", async () => {
    const res = await ctx.call<ProductBody>("POST", "/products", {
      token: ctx.adminToken,
      body: {
        sku: "CAT-WIDGET-1",
        name: "Widget",
        description: "A widget",
        priceCents: 499,
        initialStock: 12,
        lowStockThreshold: 3,
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe("/products/CAT-WIDGET-1");
    expect(res.body).toMatchObject({
      sku: "CAT-WIDGET-1",
      name: "Widget",
      description: "A widget",
      priceCents: 499,
      currency: "EUR",
      lowStockThreshold: 3,
      available: 12,
      stockStatus: "in_stock",
    });
    const read = await ctx.call<ProductBody>("GET", "/products/CAT-WIDGET-1");
    expect(read.body).toEqual(res.body);
    const [created] = await eventually("product.created on the stream", async () => {
      const found = await events("product.created", "CAT-WIDGET-1");
      return found.length ? found : undefined;
    });
    expect(JSON.parse(created?.payload ?? "{}")).toMatchObject({
      initialStock: 12,
      product: { sku: "CAT-WIDGET-1", priceCents: 499 },
    });
    expect(created?.requestId).toBe(res.headers.get("x-request-id") ?? "");
  });

  test.each([
    ["a bad sku", { sku: "lower-case", name: "X", priceCents: 1, initialStock: 1 }, 422, "VALIDATION_FAILED"],
    [
      "a one-character sku",
      { sku: "A", name: "X", priceCents: 1, initialStock: 1 },
      422,
      "VALIDATION_FAILED",
    ],
    [
      "a negative price",
      { sku: "NEG-PRICE", name: "X", priceCents: -1, initialStock: 1 },
      422,
      "VALIDATION_FAILED",
    ],
    [
      "an unknown currency",
      { sku: "BAD-CUR", name: "X", priceCents: 1, initialStock: 1, currency: "XYZ" },
      422,
      "VALIDATION_FAILED",
    ],
    [
      "a negative initial stock",
      { sku: "NEG-STOCK", name: "X", priceCents: 1, initialStock: -5 },
      422,
      "VALIDATION_FAILED",
    ],
    ["no name", { sku: "NO-NAME", priceCents: 1, initialStock: 1 }, 422, "VALIDATION_FAILED"],
  ])("%s is rejected and creates nothing", async (_, body, status, code) => {
    const res = await ctx.call<Problem>("POST", "/products", { token: ctx.adminToken, body });
    expect<unknown[]>([res.status, res.body.code]).toEqual([status, code]);
    const rows = await ctx.db
      .selectFrom("product")
      .select("sku")
      .where("sku", "=", String(body.sku))
      .execute();
    expect(rows).toEqual([]);
  });

  test("only an admin may create: a user is 403, no token is 401", async () => {
    const body = { sku: "NOT-ADMIN", name: "X", priceCents: 1, initialStock: 1 };
    const asUser = await ctx.call<Problem>("POST", "/products", { token: ctx.userToken, body });
    expect([asUser.status, asUser.body.code]).toEqual([403, "FORBIDDEN"]);
    const anonymous = await ctx.call<Problem>("POST", "/products", { body });
    expect([anonymous.status, anonymous.body.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect((await ctx.call("GET", "/products/NOT-ADMIN")).status).toBe(404);
  });

  test("a duplicate SKU is 409 SKU_EXISTS and leaves the first product's stock alone", async () => {
    await ctx.product({ sku: "DUP-1", initialStock: 7 });
    const again = await ctx.call<Problem>("POST", "/products", {
      token: ctx.adminToken,
      body: { sku: "DUP-1", name: "Again", priceCents: 1, initialStock: 99 },
    });
    expect([again.status, again.body.code]).toEqual([409, "SKU_EXISTS"]);
    expect((await ctx.call<ProductBody>("GET", "/products/DUP-1")).body.available).toBe(7);
  });

  /** The service's app with its Redis unreachable, and what closes that Redis. */
  function appWithoutRedis() {
    const deadRedis = new Redis("redis://127.0.0.1:1", {
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    const verifier = createTokenVerifier({
      keys: { jwks: ctx.tokens.jwks },
      issuer: ctx.config.JWT_ISSUER,
      audience: ctx.config.JWT_AUDIENCE,
    });
    const app = createApp(ctx.config, {
      db: ctx.db,
      redis: deadRedis,
      stock: new StockStore(deadRedis, stockKeys("unreachable:")),
      stockEvents: ctx.stockEvents,
      catalogEvents: ctx.catalogEvents,
      verifier,
      logger: createLogger({ service: "inventory", level: "silent" }),
    });
    const call = (method: string, path: string, body: unknown) =>
      app.handle(
        new Request(`http://inventory.test${path}`, {
          method,
          headers: { authorization: `Bearer ${ctx.adminToken}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
      );
    return { call, close: () => deadRedis.disconnect() };
  }

  test("with Redis unreachable, creating a product fails cleanly (503) and leaves no product behind", async () => {
    const withoutRedis = appWithoutRedis();
    const res = await withoutRedis.call("POST", "/products", {
      sku: "NO-REDIS",
      name: "X",
      priceCents: 1,
      initialStock: 5,
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as Problem).code).toBe("DEPENDENCY_UNAVAILABLE");
    expect(await ctx.db.selectFrom("product").select("sku").where("sku", "=", "NO-REDIS").execute()).toEqual(
      [],
    );
    withoutRedis.close();
  });

  test("with Redis unreachable, a change is 503 and changes nothing (its retry would announce it twice)", async () => {
    const sku = await ctx.product({ priceCents: 900 });
    const withoutRedis = appWithoutRedis();
    const res = await withoutRedis.call("PATCH", `/products/${sku}`, { priceCents: 950 });
    expect([res.status, ((await res.json()) as Problem).code]).toEqual([503, "DEPENDENCY_UNAVAILABLE"]);
    const stored = await ctx.db
      .selectFrom("product")
      .select("priceCents")
      .where("sku", "=", sku)
      .executeTakeFirst();
    expect(stored?.priceCents).toBe(900);
    const updates = await sql<{ n: number }>`
      select count(*)::int as n from outbox where type = 'product.updated' and payload::text like ${`%${sku}%`}`.execute(
      ctx.db,
    );
    expect(updates.rows[0]?.n).toBe(0);
    withoutRedis.close();
  });

  test("a create or a change whose commit fails leaves no stock, threshold or event behind", async () => {
    // Fails at COMMIT (a deferred constraint trigger), after every statement of the transaction ran.
    await sql`create function fail_at_commit() returns trigger language plpgsql as $$ begin raise exception 'injected commit failure'; end $$`.execute(
      ctx.db,
    );
    const sku = await ctx.product({ initialStock: 7, lowStockThreshold: 2 });
    const levelsBefore = await ctx.redis.hgetall(ctx.keys.levels);
    await sql`create constraint trigger fail_at_commit after insert or update on product deferrable initially deferred for each row execute function fail_at_commit()`.execute(
      ctx.db,
    );
    try {
      const created = await ctx.call<Problem>("POST", "/products", {
        token: ctx.adminToken,
        body: { sku: "CAT-NEVER", name: "Never", priceCents: 1, initialStock: 5 },
      });
      expect(created.status).toBe(500);
      const changed = await ctx.call<Problem>("PATCH", `/products/${sku}`, {
        token: ctx.adminToken,
        body: { lowStockThreshold: 6, name: "Never renamed" },
      });
      expect(changed.status).toBe(500);
    } finally {
      await sql`drop trigger fail_at_commit on product`.execute(ctx.db);
      await sql`drop function fail_at_commit()`.execute(ctx.db);
    }
    await Bun.sleep(300); // the running relays would have published anything left behind by now
    expect(await ctx.redis.hgetall(ctx.keys.levels)).toEqual(levelsBefore);
    expect(await events("product.created", "CAT-NEVER")).toEqual([]);
    expect(await events("product.updated", sku)).toEqual([]);
    expect((await ctx.call("GET", "/products/CAT-NEVER")).status).toBe(404);
    expect((await ctx.call<ProductBody>("GET", `/products/${sku}`)).body).toMatchObject({
      stockStatus: "in_stock",
    });
  });

  test("PATCH changes the product and publishes product.updated; replenish adds stock and publishes stock.replenished", async () => {
    const sku = await ctx.product({ initialStock: 1, lowStockThreshold: 2, priceCents: 100 });
    expect((await ctx.call<ProductBody>("GET", `/products/${sku}`)).body.stockStatus).toBe("low_stock");
    const patched = await ctx.call<ProductBody>("PATCH", `/products/${sku}`, {
      token: ctx.adminToken,
      body: { priceCents: 150, name: "Renamed" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ priceCents: 150, name: "Renamed", available: 1 });

    const replenished = await ctx.call("POST", `/products/${sku}/replenish`, {
      token: ctx.adminToken,
      body: { quantity: 9 },
    });
    expect(replenished.body).toEqual({ sku, available: 10, reserved: 0, stockStatus: "in_stock" });

    const updated = await eventually(
      "product.updated",
      async () => (await events("product.updated", sku))[0],
    );
    expect(JSON.parse(updated.payload ?? "{}").changes).toEqual({ priceCents: 150, name: "Renamed" });
    const stockEvent = await eventually(
      "stock.replenished",
      async () => (await events("stock.replenished", sku))[0],
    );
    expect(JSON.parse(stockEvent.payload ?? "{}")).toEqual({ sku, quantity: 9, available: 10, reserved: 0 });

    for (const [method, path, body] of [
      ["PATCH", "/products/NO-SUCH", { name: "x" }],
      ["POST", "/products/NO-SUCH/replenish", { quantity: 1 }],
    ] as const) {
      const res = await ctx.call<Problem>(method, path, { token: ctx.adminToken, body });
      expect([res.status, res.body.code]).toEqual([404, "NOT_FOUND"]);
    }
    const bad = await ctx.call<Problem>("POST", `/products/${sku}/replenish`, {
      token: ctx.adminToken,
      body: { quantity: 0 },
    });
    expect(bad.status).toBe(422);
    // A PATCH of nothing changes nothing: the product as it is, and no second product.updated.
    const empty = await ctx.call<ProductBody>("PATCH", `/products/${sku}`, {
      token: ctx.adminToken,
      body: {},
    });
    expect([empty.status, empty.body.name, empty.body.priceCents]).toEqual([200, "Renamed", 150]);
    await Bun.sleep(300);
    expect(await events("product.updated", sku)).toHaveLength(1);
  });

  test("DELETE archives: 204, then 404 to read, change or replenish, never listed, never reserved; product.archived goes out", async () => {
    const sku = "ARCH-1";
    await ctx.product({ sku, name: "Old lamp", priceCents: 500, initialStock: 4 });
    expect((await ctx.call("DELETE", `/products/${sku}`, { token: ctx.userToken })).status).toBe(403);
    expect((await ctx.call("DELETE", `/products/${sku}`, { token: ctx.adminToken })).status).toBe(204);

    expect((await ctx.call("GET", `/products/${sku}`)).status).toBe(404);
    for (const [method, path, body] of [
      ["PATCH", `/products/${sku}`, { name: "x" }],
      ["POST", `/products/${sku}/replenish`, { quantity: 1 }],
      ["DELETE", `/products/${sku}`, undefined],
    ] as const) {
      const res = await ctx.call<Problem>(method, path, { token: ctx.adminToken, body });
      expect([method, res.status, res.body.code]).toEqual([method, 404, "NOT_FOUND"]);
    }
    const listed = await ctx.call<{ items: ProductBody[] }>("GET", "/products?q=Old%20lamp&limit=100");
    expect(listed.body.items.map((p) => p.sku)).not.toContain(sku);

    let refused: unknown;
    await ctx.grpc
      .reserve({ reservationId: "archived-1", lines: [{ sku, quantity: 1 }], ttlSeconds: 60 })
      .catch((error) => {
        refused = error;
      });
    expect((refused as { code?: number }).code).toBe(5); // NOT_FOUND: UNKNOWN_SKU on the gRPC edge

    const archived = await eventually(
      "product.archived",
      async () => (await events("product.archived", sku))[0],
    );
    expect(JSON.parse(archived.payload ?? "{}")).toMatchObject({ sku, product: { sku, name: "Old lamp" } });

    // A copy older than the archive arriving late (a PATCH racing it) does not make it sellable again.
    await ctx.stock.setSellable([
      { sku, name: "Old lamp", priceCents: 500, currency: "EUR", updatedAt: new Date(0) },
    ]);
    let stillRefused: unknown;
    await ctx.grpc
      .reserve({ reservationId: "archived-2", lines: [{ sku, quantity: 1 }], ttlSeconds: 60 })
      .catch((error) => {
        stillRefused = error;
      });
    expect((stillRefused as { code?: number }).code).toBe(5);

    // A replenish that read the product before the archive adds no stock to it and announces none.
    const before = (await ctx.stock.levels([sku])).get(sku);
    expect(await ctx.stock.replenish(sku, 5, "req-late-replenish")).toEqual({ result: "not_found" });
    expect((await ctx.stock.levels([sku])).get(sku)).toEqual(before);

    // A replica's start-up sync keeps the tombstone: the same late copy after it is refused too.
    await syncSellableCatalog({ ...ctx, logger: silent });
    await ctx.stock.setSellable([
      { sku, name: "Old lamp", priceCents: 500, currency: "EUR", updatedAt: new Date(0) },
    ]);
    const afterSync = await ctx.grpc
      .reserve({ reservationId: "archived-3", lines: [{ sku, quantity: 1 }], ttlSeconds: 60 })
      .then(
        () => 0,
        (error: { code?: number }) => error.code,
      );
    expect(afterSync).toBe(5);
  });

  test("a product whose stock counters Redis lost is replenished (not a 404) and has counters again after a start-up sync", async () => {
    const lost = ["LOST-1", "LOST-2"];
    for (const sku of lost) await ctx.product({ sku, name: `Lost ${sku}`, priceCents: 500, initialStock: 5 });
    // Their product.created relayed (which copies them to the sellable catalog once more) first.
    await eventually("the catalog outbox relayed", async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from outbox where published_at is null`.execute(ctx.db);
      return rows[0]?.n === 0;
    });
    // Redis crashed within its last second of unsynced writes: the counters are gone.
    for (const sku of lost) {
      await ctx.redis.hdel(ctx.keys.levels, `${sku}:available`, `${sku}:reserved`, `${sku}:threshold`);
      await ctx.redis.hdel(ctx.keys.catalog, sku); // written after them: lost too
    }

    const replenished = await ctx.call<{ available: number }>("POST", "/products/LOST-1/replenish", {
      token: ctx.adminToken,
      body: { quantity: 3 },
    });
    expect([replenished.status, replenished.body.available]).toEqual([200, 3]);
    const sold = await ctx.grpc.reserve({
      reservationId: "lost-1",
      lines: [{ sku: "LOST-1", quantity: 1 }],
      ttlSeconds: 60,
    });
    expect(sold.lines).toHaveLength(1); // sellable again

    await syncSellableCatalog({ ...ctx, logger: silent });
    expect((await ctx.stock.levels(lost)).get("LOST-2")).toMatchObject({ available: 0, reserved: 0 });
    expect((await ctx.stock.levels(lost)).get("LOST-1")).toMatchObject({ available: 2, reserved: 1 }); // untouched
  });

  test("Redis back after a drop: the sellable catalog is synced to it again, without waiting for a restart", async () => {
    const sku = await ctx.product({ priceCents: 700, initialStock: 5 });
    await eventually("the catalog outbox relayed", async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from outbox where published_at is null`.execute(ctx.db);
      return rows[0]?.n === 0;
    });
    await ctx.redis.hdel(ctx.keys.catalog, sku); // a crash took the last second's writes
    const reserve = (id: string) =>
      ctx.grpc.reserve({ reservationId: id, lines: [{ sku, quantity: 1 }], ttlSeconds: 60 });
    await expect(reserve("resync-before")).rejects.toMatchObject({ details: expect.stringContaining(sku) });

    ctx.catalogResync.start();
    try {
      ctx.redis.disconnect(true); // the connection drops and comes back
      await eventually(
        "the catalog entry back",
        async () => (await ctx.redis.hget(ctx.keys.catalog, sku)) !== null,
      );
    } finally {
      ctx.catalogResync.stop();
    }
    const sold = await reserve("resync-after");
    expect(sold.lines).toEqual([expect.objectContaining({ sku, quantity: 1, unitPriceCents: 700 })]);
  });

  test("a change made on a replica whose clock runs behind the last writer's still reaches the sellable catalog", async () => {
    const sku = "SKEW-1";
    await ctx.product({ sku, name: "Skewed probe", priceCents: 500, initialStock: 4 });
    // Another replica, its clock an hour ahead, changed the product and copied it to Redis.
    const ahead = new Date(Date.now() + 3_600_000);
    await sql`update product set updated_at = ${ahead} where sku = ${sku}`.execute(ctx.db);
    await ctx.stock.setSellable([
      { sku, name: "Skewed probe", priceCents: 500, currency: "EUR", updatedAt: ahead },
    ]);

    const patched = await ctx.call<ProductBody>("PATCH", `/products/${sku}`, {
      token: ctx.adminToken,
      body: { priceCents: 700 },
    });
    expect(patched.status).toBe(200);
    expect(new Date(patched.body.updatedAt).getTime()).toBeGreaterThan(ahead.getTime());
    const reserved = await ctx.grpc.reserve({
      reservationId: "skew-1",
      lines: [{ sku, quantity: 1 }],
      ttlSeconds: 60,
    });
    expect(reserved.lines[0]?.unitPriceCents).toBe(700); // the new price, not the copy "from the future"

    expect((await ctx.call("DELETE", `/products/${sku}`, { token: ctx.adminToken })).status).toBe(204);
    let refused: unknown;
    await ctx.grpc
      .reserve({ reservationId: "skew-2", lines: [{ sku, quantity: 1 }], ttlSeconds: 60 })
      .catch((error) => {
        refused = error;
      });
    expect((refused as { code?: number }).code).toBe(5); // the archive reached Redis: not sellable
  });

  test("an older copy arriving late (the request's, after the relay's of a newer change) keeps the newer threshold", async () => {
    const sku = "THRESH-1";
    await ctx.product({ sku, name: "Threshold probe", priceCents: 500, initialStock: 40 });
    const patched = await ctx.call<ProductBody>("PATCH", `/products/${sku}`, {
      token: ctx.adminToken,
      body: { lowStockThreshold: 7 },
    });
    expect(patched.status).toBe(200);
    // The relay copying an older product.updated after it (as the request's copy does when it is late).
    const older = new Date(new Date(patched.body.updatedAt).getTime() - 1).toISOString();
    const product = { sku, name: "Threshold probe", priceCents: 500, currency: "EUR", updatedAt: older };
    await applyProductChanges(ctx.stock)([
      { type: "product.updated", payload: { product: { ...product, lowStockThreshold: 2 } } },
    ]);
    expect((await ctx.stock.levels([sku])).get(sku)?.threshold).toBe(7);
  });

  test("a category filters the catalog; a cursor of one sort is refused under another", async () => {
    const category = `cat-${Date.now()}`;
    for (const sku of ["CAT-A", "CAT-B", "CAT-C"])
      await ctx.product({ sku, name: sku, priceCents: 100, category });
    await ctx.product({ sku: "CAT-OTHER", name: "Other", priceCents: 100, category: `other-${category}` });
    const listed = await ctx.call<{ items: Array<{ sku: string; category: string }> }>(
      "GET",
      `/products?category=${category}`,
    );
    expect(listed.body.items.map((p) => [p.sku, p.category])).toEqual([
      ["CAT-A", category],
      ["CAT-B", category],
      ["CAT-C", category],
    ]);
    const first: { body: { nextCursor: string } } = await ctx.call(
      "GET",
      `/products?category=${category}&sort=name&limit=2`,
    );
    const crossed = await ctx.call<Problem>(
      "GET",
      `/products?category=${category}&sort=-name&cursor=${first.body.nextCursor}`,
    );
    expect([crossed.status, crossed.body.errors?.[0]?.field]).toEqual([422, "cursor"]);
    expect(
      (await ctx.call<{ items: unknown[] }>("GET", `/products?category=none-${category}`)).body.items,
    ).toEqual([]);
  });

  test("sorted by name, a cursor after the longest names the catalog takes still pages on", async () => {
    const category = `long-${Date.now()}`;
    // 200 characters each: four-byte ones (emoji) and JSON-escaped ones make the longest cursor.
    const names = ["😀".repeat(100), `A${'"'.repeat(199)}`, "ü".repeat(200)];
    for (const [i, name] of names.entries())
      await ctx.product({ sku: `LONG-${i}`, name, priceCents: 100, category });
    for (const sort of ["name", "-name"]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { items: Array<{ sku: string }>; nextCursor: string | null } } =
          await ctx.call(
            "GET",
            `/products?category=${category}&sort=${sort}&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
          );
        expect([sort, page.status]).toEqual([sort, 200]);
        seen.push(...page.body.items.map((p) => p.sku));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect([sort, seen.sort()]).toEqual([sort, ["LONG-0", "LONG-1", "LONG-2"]]);
    }
  });

  test("a cursor whose sort value the sort's column cannot hold is 422, not Postgres's error (a 500)", async () => {
    const cursor = (position: unknown[]) => Buffer.from(JSON.stringify(position)).toString("base64url");
    const crafted: Array<[string, unknown]> = [
      ["priceCents", "x"],
      ["-priceCents", 1.5],
      ["-createdAt", "x"],
      ["-createdAt", "2026-02-30T00:00:00.000000Z"],
      ["-createdAt", "0000-01-01T00:00:00.000000Z"],
      ["name", "a\u0000b"],
      ["sku", "not a sku"],
    ];
    for (const [sort, value] of crafted) {
      const res = await ctx.call<Problem>(
        "GET",
        `/products?sort=${sort}&cursor=${cursor([sort, value, "AB"])}`,
      );
      expect([sort, value, res.status, res.body.errors?.[0]?.field]).toEqual([sort, value, 422, "cursor"]);
    }
    // The cursors this list gives out still page on.
    for (const sort of ["priceCents", "-createdAt", "name"]) {
      const first = await ctx.call<{ nextCursor: string }>("GET", `/products?sort=${sort}&limit=1`);
      const next = await ctx.call("GET", `/products?sort=${sort}&limit=1&cursor=${first.body.nextCursor}`);
      expect([sort, next.status]).toEqual([sort, 200]);
    }
  });

  test("browse: name search, price range, inStock, and cursor pagination over every product once", async () => {
    const prefix = "BRW";
    for (let i = 0; i < 7; i++) {
      await ctx.product({
        sku: `${prefix}-${i}`,
        name: i % 2 ? `Blue lamp ${i}` : `Red chair ${i}`,
        priceCents: 100 * (i + 1),
        initialStock: i === 3 ? 0 : 5,
      });
    }
    const lamps = await ctx.call<{ items: ProductBody[] }>("GET", "/products?q=BLUE%20lamp&limit=100");
    expect(lamps.body.items.map((p) => p.sku)).toEqual(["BRW-1", "BRW-3", "BRW-5"]);
    const midPrice = await ctx.call<{ items: ProductBody[] }>(
      "GET",
      "/products?q=chair&minPriceCents=200&maxPriceCents=500",
    );
    expect(midPrice.body.items.map((p) => p.sku)).toEqual(["BRW-2", "BRW-4"]);
    const inStockLamps = await ctx.call<{ items: ProductBody[] }>("GET", "/products?q=lamp&inStock=true");
    expect(inStockLamps.body.items.map((p) => p.sku)).toEqual(["BRW-1", "BRW-5"]);
    const outOfStock = await ctx.call<ProductBody>("GET", "/products/BRW-3");
    expect(outOfStock.body).toMatchObject({ available: 0, stockStatus: "out_of_stock" });
    const percent = await ctx.call<{ items: ProductBody[] }>("GET", "/products?q=%25");
    expect(percent.body.items).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: ProductBody[]; nextCursor: string | null } } =
        await ctx.call("GET", `/products?q=e&limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((p) => p.sku).filter((sku) => sku.startsWith(prefix)));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["BRW-0", "BRW-1", "BRW-2", "BRW-3", "BRW-4", "BRW-5", "BRW-6"]);

    for (const query of [
      "limit=0",
      "limit=101",
      "minPriceCents=-1",
      "cursor=%21%21",
      "minPriceCents=500&maxPriceCents=100",
    ]) {
      const res = await ctx.call<Problem>("GET", `/products?${query}`);
      expect([query, res.status, res.body.code]).toEqual([query, 422, "VALIDATION_FAILED"]);
    }
  });
});

describe("metrics", () => {
  test("/metrics: stock_low_products counts the products at or below their threshold, archived ones not; outbox_backlog the unrelayed rows", async () => {
    // A catalog of its own, read once: the count is reused for 15 s, and this one is known exactly.
    const own = await createInventoryTestContext();
    try {
      await own.product({ initialStock: 2, lowStockThreshold: 2 }); // at its threshold
      await own.product({ initialStock: 0, lowStockThreshold: 0 }); // out of stock
      await own.product({ initialStock: 10, lowStockThreshold: 2 }); // well stocked
      const archived = await own.product({ initialStock: 1, lowStockThreshold: 2 });
      expect((await own.call("DELETE", `/products/${archived}`, { token: own.adminToken })).status).toBe(204);
      const sold = await own.product({ initialStock: 5, lowStockThreshold: 2 });
      await own.grpc.reserve({
        reservationId: `low-${sold}`,
        lines: [{ sku: sold, quantity: 4 }],
        ttlSeconds: 60,
      });
      const metrics = await own.metrics();
      expect(metrics("stock_low_products", { service: "inventory" })).toBe(3);
      // Its catalog relay never ran: five product.created and one product.archived wait in the outbox.
      expect(metrics("outbox_backlog")).toBe(6);
    } finally {
      await own.close();
    }
  });
});
