/** POST /auth/login: email and password for an access token. */
import { AppError } from "@platform/errors";
import { clientIp, requestContext, type TrustedProxies } from "@platform/http";
import type { Logger } from "@platform/logging";
import { Elysia } from "elysia";
import type { LoginLimiter } from "../auth/login-limiter.js";
import { verifyPassword } from "../auth/passwords.js";
import type { SigningKeys } from "../auth/signing-keys.js";
import { issueAccessToken, type TokenSettings } from "../auth/tokens.js";
import { findCredentials, type UserDb } from "../store/user.store.js";
import { AccessTokenSchema, LoginBody, normaliseIdentity } from "./schemas.js";

export interface AuthRouteDeps {
  db: UserDb;
  keys: SigningKeys;
  tokens: TokenSettings;
  limiter: LoginLimiter;
  logger: Logger;
  /** Peers whose X-Forwarded-For is believed (the gateway). */
  trustedProxies: TrustedProxies;
}

export function authRoutes({ db, keys, tokens, limiter, trustedProxies, logger }: AuthRouteDeps) {
  return new Elysia({ tags: ["auth"] }).use(requestContext(logger)).post(
    "/auth/login",
    async ({ body, request, server, log }) => {
      const ip = clientIp(request, server?.requestIP(request)?.address, trustedProxies);
      await limiter.takeAttempt(body.email, ip);
      const found = await findCredentials(db, body.email);
      const valid = await verifyPassword(body.password, found?.passwordHash);
      if (!found || !valid || found.user.status !== "active") {
        log.info({ ip }, "login failed");
        // One answer for an unknown email and a wrong password: nothing tells them apart.
        throw new AppError("INVALID_CREDENTIALS", "The email or the password is wrong.");
      }
      await limiter.giveBack(body.email, ip);
      return issueAccessToken(keys, tokens, found.user);
    },
    {
      transform: normaliseIdentity,
      body: LoginBody,
      response: { 200: AccessTokenSchema },
      detail: { summary: "Log in: an access token for email and password" },
    },
  );
}
