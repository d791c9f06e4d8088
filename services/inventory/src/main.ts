/**
 * The inventory service process: REST catalog on PORT, gRPC InventoryService on GRPC_PORT, the
 * reservation sweeper and the outbox relay; all stopped gracefully on SIGTERM/SIGINT.
 */
import { createTokenVerifier } from "@platform/auth";
import { createDatabase, migrateToLatest } from "@platform/db";
import { serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { Redis } from "ioredis";
import type { Kysely } from "kysely";
import { createApp } from "./app.js";
import { migrations } from "./catalog/migrations/index.js";
import type { InventoryDatabase } from "./catalog/product.table.js";
import { loadInventoryConfig } from "./config.js";
import { OutboxRelay } from "./events/outbox-relay.js";
import { createGrpcServer } from "./grpc/server.js";
import { ReservationSweeper } from "./stock/reservation-sweeper.js";
import { stockKeys } from "./stock/stock-keys.js";
import { StockStore } from "./stock/stock-store.js";

const config = loadInventoryConfig();
const logger = createLogger({ service: "inventory", level: config.LOG_LEVEL });
const db = createDatabase<InventoryDatabase>({
  url: config.POSTGRES_URL,
  schema: config.POSTGRES_SCHEMA,
  poolMax: config.POSTGRES_POOL_MAX,
  applicationName: "inventory",
});
await migrateToLatest(db as Kysely<unknown>, config.POSTGRES_SCHEMA, migrations);
// Fail a command fast while Redis is away, so a request answers 503 instead of hanging.
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, connectTimeout: 2_000 });
const keys = stockKeys(config.REDIS_KEY_PREFIX);
const stock = await StockStore.create(redis, keys);
const relay = new OutboxRelay({
  redis,
  outboxKey: keys.outbox,
  lockKey: keys.relayLock,
  stream: config.EVENTS_STREAM,
  streamMaxLen: config.STREAM_MAX_LEN,
  intervalMs: config.OUTBOX_INTERVAL_MS,
  logger: logger.child({ component: "outbox-relay" }),
});
const sweeper = new ReservationSweeper(
  stock,
  logger.child({ component: "sweeper" }),
  config.SWEEP_INTERVAL_MS,
);
const verifier = createTokenVerifier({
  keys: { jwksUrl: config.JWKS_URL },
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
});

const grpc = createGrpcServer(
  {
    db,
    stock,
    relay,
    reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
    maxReservationTtlSeconds: config.MAX_RESERVATION_TTL_SECONDS,
  },
  logger,
);
const grpcPort = await grpc.listen(`0.0.0.0:${config.GRPC_PORT}`);
logger.info({ grpcPort }, "gRPC listening");
relay.start();
sweeper.start();

serve(createApp(config, { db, redis, stock, relay, verifier, logger }), {
  port: config.PORT,
  logger,
  closers: [
    { name: "grpc", close: () => grpc.shutdown() },
    { name: "sweeper", close: () => sweeper.stop() },
    { name: "outbox relay", close: () => relay.stop() },
    { name: "redis", close: () => redis.quit() },
    { name: "postgres", close: () => db.destroy() },
  ],
});
