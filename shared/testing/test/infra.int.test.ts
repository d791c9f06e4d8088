import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Redis } from "ioredis";
import { MongoClient } from "mongodb";
import pg from "pg";
import { testInfra, uniqueName } from "../src/index.js";

describe("testInfra", () => {
  test("resolves servers that really answer: Postgres, Redis and the MongoDB wire server", async () => {
    const infra = await testInfra();
    const client = new pg.Client({ connectionString: infra.postgresUrl });
    await client.connect();
    const { rows } = await client.query<{ answer: number }>("select 6 * 7 as answer");
    await client.end();
    expect(rows).toEqual([{ answer: 42 }]);

    const redis = new Redis(infra.redisUrl);
    expect(await redis.ping()).toBe("PONG");
    redis.disconnect();
  });

  test("stops the run with one line naming what to start when a server does not answer", async () => {
    const child = Bun.spawn(["bun", join(import.meta.dir, "fixtures", "resolve-infra.ts")], {
      env: {
        ...process.env,
        POSTGRES_URL: "postgres://nobody@127.0.0.1:1/none",
        REDIS_URL: "redis://127.0.0.1:1",
        MONGO_URL: "mongodb://127.0.0.1:1",
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, stdout, stderr] = await Promise.all([
      child.exited,
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("POSTGRES_URL=postgres://nobody@127.0.0.1:1/none");
    expect(lines[0]).toContain("bun run infra:up");
  });
});

describe("the MongoDB wire server", () => {
  let mongo: MongoClient;
  const database = uniqueName("t_mongo");

  beforeAll(async () => {
    mongo = new MongoClient((await testInfra()).mongoUrl, { serverSelectionTimeoutMS: 5000 });
    await mongo.connect();
  });

  afterAll(async () => {
    await mongo.db(database).dropDatabase();
    await mongo.close();
  });

  test("inserts, builds an index, answers an indexed query newest first, and rejects a duplicate _id", async () => {
    const entries = mongo
      .db(database)
      .collection<{ _id: string; orderId: string; at: Date; type: string }>("activity");
    await entries.createIndex({ orderId: 1, at: -1 }, { name: "orderId_at" });
    const base = Date.parse("2026-01-01T00:00:00Z");
    await entries.insertMany(
      Array.from({ length: 30 }, (_, i) => ({
        _id: `evt-${String(i).padStart(2, "0")}`,
        orderId: i % 3 === 0 ? "order-a" : "order-b",
        at: new Date(base + i * 1000),
        type: "order.created",
      })),
    );

    const indexes = await entries.listIndexes().toArray();
    expect(indexes.map((index) => index.name)).toContain("orderId_at");

    const page = await entries.find({ orderId: "order-a" }).sort({ at: -1 }).limit(4).toArray();
    expect(page.map((doc) => doc._id)).toEqual(["evt-27", "evt-24", "evt-21", "evt-18"]);
    const nextPage = await entries
      .find({ orderId: "order-a", at: { $lt: page.at(-1)?.at } })
      .sort({ at: -1 })
      .limit(4)
      .toArray();
    expect(nextPage.map((doc) => doc._id)).toEqual(["evt-15", "evt-12", "evt-09", "evt-06"]);

    // Consumers rely on this to store an event once: its id is the document's _id.
    const duplicate = entries.insertOne({ _id: "evt-00", orderId: "order-a", at: new Date(), type: "x" });
    await expect(duplicate).rejects.toMatchObject({ code: 11000 });
    expect(await entries.countDocuments()).toBe(30);
  });
});
