/** The user service as a real process: configuration errors, start-up, readiness, graceful stop. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createDatabase } from "@platform/db";
import { eventually, testInfra, uniqueName } from "@platform/testing";
import { sql } from "kysely";

const main = join(import.meta.dir, "..", "src", "main.ts");

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, fetch: () => new Response() });
  const port = server.port ?? 0;
  await server.stop();
  return port;
}

describe("the user service process", () => {
  test.each([
    ["PORT", "not-a-port"],
    ["POSTGRES_URL", "mysql://localhost/db"],
    ["JWT_TTL_SECONDS", "5"],
  ])("a bad %s exits non-zero with one line naming it", async (name, value) => {
    const child = Bun.spawn(["bun", main], {
      env: { ...process.env, [name]: value },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
    expect(code).not.toBe(0);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith(`user: invalid environment variable ${name}=`);
  });

  test("starts, migrates, answers /health and /ready, logs JSON, and stops cleanly on SIGTERM", async () => {
    const { postgresUrl, redisUrl } = await testInfra();
    const port = await freePort();
    const schema = uniqueName("t_users_proc");
    const child = Bun.spawn(["bun", main], {
      env: {
        ...process.env,
        PORT: String(port),
        POSTGRES_URL: postgresUrl,
        POSTGRES_SCHEMA: schema,
        REDIS_URL: redisUrl,
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const health = await eventually("the service to listen", () =>
        fetch(`${base}/health`)
          .then((r) => r.json())
          .catch(() => undefined),
      );
      expect(health).toEqual({ status: "ok", service: "user" });
      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ checks: { postgres: "ok", redis: "ok" } });
      const docs = await fetch(`${base}/swagger/json`).then(
        (r) => r.json() as Promise<{ paths: Record<string, unknown> }>,
      );
      expect(Object.keys(docs.paths)).toEqual(
        expect.arrayContaining(["/users", "/auth/login", "/users/me", "/.well-known/jwks.json"]),
      );
      const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
      expect(metrics).toContain(
        'http_request_duration_seconds_count{service="user",method="GET",route="/health",status="200"}',
      );
    } finally {
      child.kill("SIGTERM");
    }
    expect(await child.exited).toBe(0);
    const lines = (await new Response(child.stdout).text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    for (const line of lines)
      expect(line).toMatchObject({
        service: "user",
        level: expect.any(String),
        time: expect.any(String),
        msg: expect.any(String),
      });
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(["listening", "shutting down", "stopped"]),
    );
    const db = createDatabase({ url: postgresUrl, schema, poolMax: 1 });
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
    await db.destroy();
  });
});
