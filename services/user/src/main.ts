/** The user service process: config → dependencies → migrations → app → listen; graceful stop on signal. */
import { RevocationList } from "@platform/auth";
import { openServiceDatabase } from "@platform/db";
import { serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { startTracing } from "@platform/telemetry";
import { loadSigningKeys } from "./auth/signing-keys.js";
import { loadUserConfig } from "./config.js";
import { createUserRuntime } from "./runtime.js";
import { migrations } from "./store/migrations/index.js";
import type { UserDatabase } from "./store/user.table.js";
import { seedAdmin } from "./use-cases/seed-admin.js";

const config = loadUserConfig();
// First: what is made below (logger, Redis, database, HTTP and gRPC) takes up tracing only if it is on already.
const tracing = await startTracing({ service: "user", ...config });
const logger = createLogger({ service: "user", level: config.LOG_LEVEL });
const db = await openServiceDatabase<UserDatabase>("user", config, migrations, logger);
const redis = createRedis(config.REDIS_URL, logger);
await waitForRedis(redis, logger, config.STARTUP_TIMEOUT_MS);
const keys = await loadSigningKeys(config, logger);
await seedAdmin(db, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD }, logger);

const revocations = await RevocationList.start(redis, { maxTokenTtlSeconds: config.JWT_TTL_SECONDS });
const runtime = createUserRuntime(config, { db, redis, keys, revocations, logger });
runtime.start();

serve(runtime.app, {
  hostname: config.HOST,
  port: config.PORT,
  logger,
  closers: [
    { name: "background work", close: () => runtime.stop() },
    { name: "revocations", close: () => revocations.close() },
    { name: "redis", close: () => redis.quit() },
    { name: "postgres", close: () => db.destroy() },
    { name: "traces", close: () => tracing.shutdown() },
  ],
});
