/** The user service's configuration, read once from the environment (see README for each variable). */
import { join } from "node:path";
import {
  Env,
  loadConfigOrExit,
  postgresSettings,
  redisSettings,
  type Static,
  serviceSettings,
  tokenClaimSettings,
} from "@platform/config";

export const userConfigSchema = Env.Object({
  ...serviceSettings(3001),
  ...postgresSettings("users"),
  ...redisSettings(),
  /** Prefix of every Redis key of this service, so tests and tenants can share a server. */
  REDIS_KEY_PREFIX: Env.String({ default: "user:" }),

  /** PEM (PKCS#8) Ed25519 private key, or a file holding one. Neither: a key generated once into KEYS_DIR. */
  JWT_PRIVATE_KEY: Env.Optional(Env.String({ minLength: 40 })),
  JWT_PRIVATE_KEY_FILE: Env.Optional(Env.String({ minLength: 1 })),
  /** Public keys (PEM files, comma-separated) still published in the JWKS during a key rotation. */
  JWT_PREVIOUS_PUBLIC_KEY_FILES: Env.String({ default: "" }),
  KEYS_DIR: Env.String({ default: join(import.meta.dir, "..", "..", "..", ".data", "keys") }),
  /** With JWT_TTL_SECONDS: access tokens are short-lived; a client refreshes them (POST /auth/refresh). */
  ...tokenClaimSettings(),
  /** How long a session may be refreshed before its user logs in again. */
  REFRESH_TTL_SECONDS: Env.Integer({ minimum: 300, default: 14 * 86_400 }),
  /** Sessions that ended (expired or revoked) are deleted this many days later (0: kept for good). */
  SESSION_RETENTION_DAYS: Env.Integer({ minimum: 0, default: 7 }),

  /** The first admin, created at start-up when both are set (idempotent). */
  ADMIN_EMAIL: Env.Optional(Env.String({ format: "email" })),
  ADMIN_PASSWORD: Env.Optional(Env.String({ minLength: 8, maxLength: 128 })),

  /** Failed logins allowed per email, and per client IP, within the window. */
  LOGIN_MAX_FAILURES_PER_EMAIL: Env.Integer({ minimum: 1, default: 10 }),
  LOGIN_MAX_FAILURES_PER_IP: Env.Integer({ minimum: 1, default: 100 }),
  LOGIN_FAILURE_WINDOW_SECONDS: Env.Integer({ minimum: 1, default: 900 }),
  /**
   * Peers whose X-Forwarded-For is believed (the gateway): comma-separated IPs, CIDRs, `loopback`,
   * `linklocal`, `uniquelocal`. Anyone else's is ignored and its socket address is the client's.
   */
  TRUSTED_PROXIES: Env.String({ default: "loopback" }),
});

export type UserConfig = Readonly<Static<typeof userConfigSchema>>;

export const loadUserConfig = (env: Record<string, string | undefined> = process.env): UserConfig =>
  loadConfigOrExit("user", userConfigSchema, env);
