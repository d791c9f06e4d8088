/** The activity service as a real process: configuration errors, start-up with its indexes, a clean stop. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { runToExit, startServiceProcess, testInfra, uniqueName } from "@platform/testing";
import { MongoClient } from "mongodb";

const main = join(import.meta.dir, "..", "src", "main.ts");

describe("the activity service process", () => {
  test.each([
    ["MONGO_URL", "postgres://nope"],
    ["MAX_DELIVERIES", "0"],
  ])("a bad %s exits non-zero with one line naming it", async (name, value) => {
    const { code, stderr } = await runToExit(main, { [name]: value });
    expect(code).not.toBe(0);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith(`activity: invalid environment variable ${name}=`);
  });

  test("creates its indexes at start-up, is ready, and stops cleanly on SIGTERM", async () => {
    const { mongoUrl, redisUrl } = await testInfra();
    const database = uniqueName("t_activity_proc");
    const service = await startServiceProcess(main, {
      MONGO_URL: mongoUrl,
      MONGO_DB: database,
      REDIS_URL: redisUrl,
      ORDERS_STREAM: uniqueName("events:orders"),
      INVENTORY_STREAM: uniqueName("events:inventory"),
      PAYMENTS_STREAM: uniqueName("events:payments"),
    });
    const client = new MongoClient(mongoUrl);
    try {
      const ready = await fetch(`${service.baseUrl}/ready`);
      expect(await ready.json()).toMatchObject({ checks: { mongodb: "ok", redis: "ok" } });
      const indexes = await client.db(database).collection("entries").listIndexes().toArray();
      expect(indexes.map((index) => index.name)).toEqual(
        expect.arrayContaining(["orderId_occurredAt", "userId_occurredAt", "type_occurredAt"]),
      );
    } finally {
      const { code, lines } = await service.stop();
      expect(code).toBe(0);
      expect(lines.map((line) => line.msg)).toEqual(
        expect.arrayContaining(["consumer started", "consumer stopped", "stopped"]),
      );
      await client.db(database).dropDatabase();
      await client.close();
    }
  });
});
