/**
 * One user service per test file, in process, on real Postgres and Redis: its own schema, its own
 * Redis key prefix and its own signing key, so files run side by side.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "@platform/config";
import { createDatabase, migrateToLatest } from "@platform/db";
import { createLogger } from "@platform/logging";
import { testInfra, uniqueName } from "@platform/testing";
import { Redis } from "ioredis";
import { type Kysely, sql } from "kysely";
import { createApp } from "../src/app.js";
import { loadSigningKeys } from "../src/auth/signing-keys.js";
import { type UserConfig, userConfigSchema } from "../src/config.js";
import { migrations } from "../src/store/migrations/index.js";
import type { UserDatabase } from "../src/store/user.table.js";

export type TestResponse<T = Record<string, unknown>> = { status: number; headers: Headers; body: T };

export async function createUserTestContext(overrides: Record<string, string> = {}) {
  const { postgresUrl, redisUrl } = await testInfra();
  const schema = uniqueName("t_users");
  const config: UserConfig = loadConfig(userConfigSchema, {
    POSTGRES_URL: postgresUrl,
    POSTGRES_SCHEMA: schema,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `${uniqueName("t_user")}:`,
    KEYS_DIR: mkdtempSync(join(tmpdir(), "user-keys-")),
    LOG_LEVEL: "silent",
    ...overrides,
  });
  const logger = createLogger({ service: "user", level: "silent" });
  const db = createDatabase<UserDatabase>({ url: postgresUrl, schema, poolMax: 5 });
  await migrateToLatest(db as Kysely<unknown>, schema, migrations);
  const redis = new Redis(redisUrl);
  const keys = await loadSigningKeys(config, logger);
  const app = createApp(config, { db, redis, keys, logger });

  /** One request through the app, JSON in and out. */
  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    { body, token, headers = {} }: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<TestResponse<T>> {
    const init: RequestInit = { method, headers: { ...headers } };
    const requestHeaders = init.headers as Record<string, string>;
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      requestHeaders["content-type"] = "application/json";
    }
    if (token) requestHeaders.authorization = `Bearer ${token}`;
    const response = await app.handle(new Request(`http://user.test${path}`, init));
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  }

  async function register(email = `${uniqueName("u")}@example.com`, password = "correct-horse-1") {
    const res = await call<{ id: string; email: string }>("POST", "/users", {
      body: { email, name: "Test User", password },
    });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { ...res.body, password };
  }

  async function login(email: string, password: string) {
    const res = await call<{ accessToken: string }>("POST", "/auth/login", { body: { email, password } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.accessToken;
  }

  async function close() {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
    await db.destroy();
    redis.disconnect();
  }

  return { app, config, db, redis, keys, call, register, login, close };
}

export type UserTestContext = Awaited<ReturnType<typeof createUserTestContext>>;
