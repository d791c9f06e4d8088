/**
 * The platform's Redis client settings. While Redis is away, a command fails at once (no offline
 * queue) instead of waiting through reconnection attempts whose delays grow: a request answers 503
 * in milliseconds, a background loop backs off and tries again. The client keeps reconnecting and
 * commands work again as soon as Redis is back.
 */
import { waitForDependency } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import { inRecordedTrace, SpanKind, tracingEnabled, withSpan } from "@platform/telemetry";
import { Redis } from "ioredis";

export function createRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    // A connection that died without a word (no FIN, no RST) would otherwise hold a command forever;
    // and failing the command is not enough: the client keeps writing into that connection until
    // the kernel gives up on it (minutes; never behind a proxy that still holds it). A connection
    // that answers nothing for as long is ended, and the client connects afresh.
    commandTimeout: 5_000,
    socketTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
  });
  let down = false;
  redis.on("error", (err) => {
    if (!down) logger.warn({ err: err.message }, "redis connection failed; reconnecting");
    down = true;
  });
  redis.on("ready", () => {
    if (down) logger.info("redis connection restored");
    down = false;
  });
  if (tracingEnabled()) traceCommands(redis);
  return redis;
}

/**
 * With tracing on (startTracing before createRedis), each command sent inside a trace becomes a span
 * of it (a Lua script shows as evalsha); commands outside one (idle polls, blocking reads) make
 * none. Pipelines and transactions are not traced.
 */
function traceCommands(redis: Redis): void {
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((
    command: Parameters<Redis["sendCommand"]>[0],
    stream?: Parameters<Redis["sendCommand"]>[1],
  ) =>
    // Outside a recorded trace (most commands: idle polls, or a trace sampled out), the plain send.
    !inRecordedTrace()
      ? send(command, stream)
      : withSpan(
          `redis ${command.name}`,
          {
            kind: SpanKind.CLIENT,
            onlyInTrace: true,
            attributes: { "db.system.name": "redis", "db.operation.name": command.name },
          },
          () => {
            send(command, stream);
            return command.promise;
          },
        )) as Redis["sendCommand"];
}

/**
 * Runs `work` each time the client is ready again after losing its connection, between start() and
 * stop(). A Redis that crashed comes back without its last second of writes (`appendfsync
 * everysec`): what a service keeps there and can rebuild (revocations, the sellable catalog) is
 * written again then, rather than at the next start.
 */
export function whenRedisReturns(redis: Redis, work: () => Promise<unknown>) {
  const onReady = () => void work();
  return {
    start: () => {
      redis.on("ready", onReady);
    },
    stop: () => {
      redis.off("ready", onReady);
    },
  };
}

/**
 * Start-up: waits (bounded, logged) until Redis answers, so the work that follows finds it; throws
 * when it does not come up within `timeoutMs`.
 */
export async function waitForRedis(redis: Redis, logger: Logger, timeoutMs: number): Promise<void> {
  await connected(redis, 2_000);
  await waitForDependency("redis", () => redis.ping(), { logger, timeoutMs });
}

/** Resolves once the client is ready or after `ms` (commands fail fast until then: no offline queue). */
export function connected(redis: Redis, ms: number): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once("ready", done);
  });
}

export { type LuaScript, luaScript } from "./lua-script.js";

/**
 * A subscribed connection sends nothing of its own, so the socket timeout never watches it: gone
 * silent (no FIN, no RST), it would miss every message until TCP keepalive noticed, minutes later.
 * A PING every `everyMs` gives the timeout an answer to wait for; the connection is then made
 * afresh and ioredis subscribes again. Returns what stops it.
 */
export function pingWhileSubscribed(subscriber: Redis, everyMs = 10_000): () => void {
  const timer = setInterval(() => void subscriber.ping().catch(() => {}), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
