/** The gateway's configuration, read once from the environment (see README). */
import { join } from "node:path";
import {
  csv,
  Env,
  loadConfigOrExit,
  port,
  redisSettings,
  type Static,
  serviceSettings,
  tokenVerificationSettings,
  url,
} from "@platform/config";

const upstream = (fallback: string) => url(["http", "https"], fallback);

export const gatewayConfigSchema = Env.Object({
  ...serviceSettings(8080, "0.0.0.0"),
  /**
   * GET /metrics is served on this port, not on PORT: PORT is the public edge, and metrics are for
   * the scraper (what each route is asked, the process's memory) — a page that costs more than any
   * request, which the edge would have to serve to anyone, unlimited.
   */
  METRICS_PORT: port(8081),
  ...redisSettings(),
  ...tokenVerificationSettings(),
  USER_URL: upstream("http://127.0.0.1:3001"),
  INVENTORY_URL: upstream("http://127.0.0.1:3002"),
  ORDER_URL: upstream("http://127.0.0.1:3003"),
  ACTIVITY_URL: upstream("http://127.0.0.1:3004"),
  NOTIFICATION_URL: upstream("http://127.0.0.1:3005"),
  PAYMENT_URL: upstream("http://127.0.0.1:3006"),
  /** The web console's built files (`bun run --cwd console build` writes them there), served at `/`. */
  CONSOLE_DIR: Env.String({
    minLength: 1,
    default: join(import.meta.dir, "..", "..", "..", "console", "dist"),
  }),
  /** A call to a service that has not answered by then is 504. */
  UPSTREAM_TIMEOUT_MS: Env.Integer({ minimum: 100, default: 10_000 }),
  MAX_BODY_BYTES: Env.Integer({ minimum: 1024, default: 1024 * 1024 }),
  /** Origins allowed to call the API from a browser (comma-separated); none: no CORS headers. */
  CORS_ORIGINS: Env.String({ default: "" }),
  /** Token buckets: a burst of up to BURST requests, refilled at PER_MINUTE a minute. */
  RATE_LIMIT_IP_PER_MINUTE: Env.Integer({ minimum: 1, default: 1_200 }),
  RATE_LIMIT_IP_BURST: Env.Integer({ minimum: 1, default: 600 }),
  RATE_LIMIT_USER_PER_MINUTE: Env.Integer({ minimum: 1, default: 600 }),
  RATE_LIMIT_USER_BURST: Env.Integer({ minimum: 1, default: 400 }),
  RATE_LIMIT_KEY_PREFIX: Env.String({ default: "gateway:" }),
  /**
   * Live-notification sockets one user may hold open at once, per gateway replica (a console tab
   * holds one); another is refused with 429 before the upgrade.
   */
  WS_MAX_SOCKETS_PER_USER: Env.Integer({ minimum: 1, default: 16 }),
  /**
   * Proxies of yours in front of the gateway, whose X-Forwarded-For is believed: comma-separated
   * IPs, CIDRs, `loopback`, `linklocal`, `uniquelocal`. None by default: the gateway is the edge.
   */
  TRUSTED_PROXIES: Env.String({ default: "" }),
});

export type GatewayConfig = Readonly<Static<typeof gatewayConfigSchema>>;

export const loadGatewayConfig = (env: Record<string, string | undefined> = process.env): GatewayConfig =>
  loadConfigOrExit("gateway", gatewayConfigSchema, env);

export const corsOrigins = (config: GatewayConfig) => csv(config.CORS_ORIGINS);
