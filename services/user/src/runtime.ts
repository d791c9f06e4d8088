/**
 * The user service wired from its config, for main.ts and the tests alike: the token verifier (the
 * service verifies its own tokens with the keys it holds; other services fetch the JWKS), the
 * login limiter, the REST app, and its one background job: deleting sessions that ended long ago.
 */
import { createTokenVerifier, type RevocationCheck } from "@platform/auth";
import { retentionJob } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import { whenRedisReturns } from "@platform/redis";
import type { Redis } from "ioredis";
import { createApp } from "./app.js";
import { LoginLimiter } from "./auth/login-limiter.js";
import type { SigningKeys } from "./auth/signing-keys.js";
import type { UserConfig } from "./config.js";
import { pruneSessions } from "./store/session.store.js";
import type { UserDb } from "./store/user.store.js";
import { republishRevocations } from "./use-cases/republish-revocations.js";

export interface UserConnections {
  db: UserDb;
  redis: Redis;
  keys: SigningKeys;
  /** Revoked sessions and users (the service reads its own announcements like every other). */
  revocations?: RevocationCheck;
  logger: Logger;
}

export function createUserRuntime(
  config: UserConfig,
  { db, redis, keys, revocations, logger }: UserConnections,
) {
  const verifier = createTokenVerifier({
    keys: { jwks: keys.jwks },
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    maxTokenAgeSeconds: config.JWT_TTL_SECONDS,
    revocations,
  });
  const limiter = new LoginLimiter(redis, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    maxFailuresPerEmail: config.LOGIN_MAX_FAILURES_PER_EMAIL,
    maxFailuresPerIp: config.LOGIN_MAX_FAILURES_PER_IP,
    windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
  });
  const app = createApp(config, { db, redis, keys, verifier, limiter, logger });
  const retention = retentionJob({
    name: "session retention",
    days: config.SESSION_RETENTION_DAYS,
    prune: (before) => pruneSessions(db, before),
    logger: logger.child({ component: "retention" }),
  });
  const republish = () =>
    republishRevocations({ db, redis }, config.JWT_TTL_SECONDS).then(
      (count) => logger.info({ count }, "revocations of the tokens' lifetime announced again"),
      (err) => logger.warn({ err }, "could not announce the revocations again; next time Redis is back"),
    );
  // Redis back: it may have lost its last second of revocations.
  const republishOnReturn = whenRedisReturns(redis, republish);
  return {
    verifier,
    limiter,
    app,
    start: () => {
      retention.start();
      void republish();
      republishOnReturn.start();
    },
    stop: async () => {
      republishOnReturn.stop();
      await retention.stop();
    },
  };
}

export type UserRuntime = ReturnType<typeof createUserRuntime>;
