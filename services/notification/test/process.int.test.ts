/** The notification service as a real process: configuration errors, start-up, a clean stop. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createDatabase } from "@platform/db";
import { runToExit, startServiceProcess, testInfra, uniqueName } from "@platform/testing";
import { sql } from "kysely";

const main = join(import.meta.dir, "..", "src", "main.ts");

describe("the notification service process", () => {
  test.each([
    ["SMTP_URL", "http://mail", "notification: invalid environment variable SMTP_URL="],
    ["CHANNELS", "log,pigeon", "notification: invalid environment variable CHANNELS="],
    ["WEBHOOK_URL", "http://127.0.0.1:9/hook", "notification: missing environment variable WEBHOOK_SECRET"],
  ])("a bad %s exits non-zero with one line naming it", async (name, value, line) => {
    const { code, stderr } = await runToExit(main, { [name]: value });
    expect(code).not.toBe(0);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith(line);
  });

  test("starts, is ready, and stops cleanly on SIGTERM", async () => {
    const { postgresUrl, redisUrl } = await testInfra();
    const schema = uniqueName("t_notif_proc");
    const service = await startServiceProcess(main, {
      POSTGRES_URL: postgresUrl,
      POSTGRES_SCHEMA: schema,
      REDIS_URL: redisUrl,
      ORDERS_STREAM: uniqueName("events:orders"),
      INVENTORY_STREAM: uniqueName("events:inventory"),
      PAYMENTS_STREAM: uniqueName("events:payments"),
    });
    try {
      const ready = await fetch(`${service.baseUrl}/ready`);
      expect(await ready.json()).toMatchObject({ checks: { postgres: "ok", redis: "ok" } });
      const docs = (await fetch(`${service.baseUrl}/swagger/json`).then((r) => r.json())) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(docs.paths)).toEqual(
        expect.arrayContaining(["/notifications", "/notifications/{id}", "/notifications/{id}/retry"]),
      );
    } finally {
      const { code, lines } = await service.stop();
      expect(code).toBe(0);
      expect(lines.map((line) => line.msg)).toEqual(
        expect.arrayContaining(["consumer started", "consumer stopped", "stopped"]),
      );
      const db = createDatabase({ url: postgresUrl, schema, poolMax: 1 });
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
    }
  });
});
