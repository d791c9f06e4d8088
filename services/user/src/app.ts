/** Builds the user service's REST app from its config and collaborators; never listens. */
import type { TokenVerifier } from "@platform/auth";
import { pingDatabase } from "@platform/db";
import { httpKernel, trustedProxies } from "@platform/http";
import type { Logger } from "@platform/logging";
import { Elysia } from "elysia";
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";
import type { LoginLimiter } from "./auth/login-limiter.js";
import type { SigningKeys } from "./auth/signing-keys.js";
import type { UserConfig } from "./config.js";
import { accountRoutes } from "./routes/account.js";
import { authRoutes } from "./routes/auth.js";
import { internalRoutes } from "./routes/internal.js";
import { jwksRoutes } from "./routes/jwks.js";
import { usersRoutes } from "./routes/users.js";
import type { UserDb } from "./store/user.store.js";

export interface UserAppDeps {
  db: UserDb;
  redis: Redis;
  keys: SigningKeys;
  verifier: TokenVerifier;
  limiter: LoginLimiter;
  logger: Logger;
}

export function createApp(config: UserConfig, { db, redis, keys, verifier, limiter, logger }: UserAppDeps) {
  const tokens = {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.JWT_TTL_SECONDS,
    refreshTtlSeconds: config.REFRESH_TTL_SECONDS,
  };

  // Revocations are remembered as long as a token they could apply to may live.
  const revocationOptions = { maxTokenTtlSeconds: config.JWT_TTL_SECONDS };
  const sessions = {
    db,
    redis,
    keys,
    tokens,
    revocationOptions,
    verifier,
    limiter,
    trustedProxies: trustedProxies(config.TRUSTED_PROXIES),
    logger,
  };

  return new Elysia()
    .use(
      httpKernel({
        service: "user",
        logger,
        description: "Users, credentials and access tokens.",
        readiness: {
          postgres: () => pingDatabase(db as Kysely<unknown>),
          redis: () => redis.ping(),
        },
      }),
    )
    .use(usersRoutes({ db, redis, verifier, logger, revocationOptions }))
    .use(authRoutes(sessions))
    .use(accountRoutes(sessions))
    .use(jwksRoutes({ keys }))
    .use(internalRoutes({ db }));
}
