/** The user service as a real process: configuration errors, start-up, readiness, graceful stop. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createDatabase } from "@platform/db";
import { runToExit, startServiceProcess, testInfra, uniqueName } from "@platform/testing";
import { sql } from "kysely";

const main = join(import.meta.dir, "..", "src", "main.ts");

describe("the user service process", () => {
  test.each([
    ["PORT", "not-a-port"],
    ["POSTGRES_URL", "mysql://localhost/db"],
    ["JWT_TTL_SECONDS", "5"],
  ])("a bad %s exits non-zero with one line naming it", async (name, value) => {
    const { code, stderr } = await runToExit(main, { [name]: value });
    expect(code).not.toBe(0);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith(`user: invalid environment variable ${name}=`);
  });

  test("starts, migrates, answers /health, /ready, /swagger and /metrics, logs JSON, stops cleanly on SIGTERM", async () => {
    const { postgresUrl, redisUrl } = await testInfra();
    const schema = uniqueName("t_users_proc");
    const service = await startServiceProcess(main, {
      POSTGRES_URL: postgresUrl,
      POSTGRES_SCHEMA: schema,
      REDIS_URL: redisUrl,
    });
    try {
      const base = service.baseUrl;
      expect(await fetch(`${base}/health`).then((r) => r.json())).toEqual({ status: "ok", service: "user" });
      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ checks: { postgres: "ok", redis: "ok" } });
      const docs = (await fetch(`${base}/swagger/json`).then((r) => r.json())) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(docs.paths)).toEqual(
        expect.arrayContaining(["/users", "/auth/login", "/users/me", "/.well-known/jwks.json"]),
      );
      const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
      expect(metrics).toContain(
        'http_request_duration_seconds_count{service="user",method="GET",route="/health",status="200"}',
      );
    } finally {
      const { code, lines } = await service.stop();
      expect(code).toBe(0);
      for (const line of lines) {
        expect(line).toMatchObject({
          service: "user",
          level: expect.any(String),
          time: expect.any(String),
          msg: expect.any(String),
        });
      }
      expect(lines.map((line) => line.msg)).toEqual(
        expect.arrayContaining(["listening", "shutting down", "stopped"]),
      );
      const db = createDatabase({ url: postgresUrl, schema, poolMax: 1 });
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
    }
  });
});
