/** The order service as a real process: configuration errors and a clean stop. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createDatabase } from "@platform/db";
import { runToExit, startServiceProcess, testInfra, uniqueName } from "@platform/testing";
import { sql } from "kysely";

const main = join(import.meta.dir, "..", "src", "main.ts");

describe("the order service process", () => {
  test.each([
    ["INVENTORY_GRPC_ADDRESS", "no-port-here"],
    ["USER_SERVICE_URL", "ftp://users"],
    ["IDEMPOTENCY_RETENTION_HOURS", "1"],
    // With the reservation's own TTL, more than the inventory grants: every order would fail.
    ["PAYMENT_WINDOW_SECONDS", "86400"],
  ])("a bad %s exits non-zero with one line naming it", async (name, value) => {
    const { code, stderr } = await runToExit(main, { [name]: value });
    expect(code).not.toBe(0);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith(`order: invalid environment variable ${name}=`);
  });

  test("starts with its dependencies away, says so on /ready, and stops cleanly on SIGTERM", async () => {
    const { postgresUrl, redisUrl } = await testInfra();
    const schema = uniqueName("t_orders_proc");
    const service = await startServiceProcess(main, {
      POSTGRES_URL: postgresUrl,
      POSTGRES_SCHEMA: schema,
      REDIS_URL: redisUrl,
      EVENTS_STREAM: uniqueName("events:orders"),
      USER_SERVICE_URL: "http://127.0.0.1:1",
      JWKS_URL: "http://127.0.0.1:1/.well-known/jwks.json",
      INVENTORY_GRPC_ADDRESS: "127.0.0.1:1",
    });
    try {
      const ready = await fetch(`${service.baseUrl}/ready`);
      expect(await ready.json()).toMatchObject({ checks: { postgres: "ok", redis: "ok", inventory: "ok" } });
      const anonymous = await fetch(`${service.baseUrl}/orders`);
      expect(anonymous.status).toBe(401);
      const docs = (await fetch(`${service.baseUrl}/swagger/json`).then((r) => r.json())) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(docs.paths)).toEqual(
        expect.arrayContaining(["/orders", "/orders/{id}", "/orders/{id}/cancel", "/orders/{id}/status"]),
      );
    } finally {
      const { code, lines } = await service.stop();
      expect(code).toBe(0);
      expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(["listening", "stopped"]));
      const db = createDatabase({ url: postgresUrl, schema, poolMax: 1 });
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
    }
  });
});
