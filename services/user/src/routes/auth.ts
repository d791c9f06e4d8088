/**
 * Sessions over HTTP: POST /auth/login (email and password for a token pair), POST /auth/refresh
 * (a refresh token for the next pair), POST /auth/logout (the session ends at once).
 */
import { requireAuth, type TokenVerifier } from "@platform/auth";
import { AppError } from "@platform/errors";
import { clientIp, problems, requestContext, type TrustedProxies } from "@platform/http";
import { Elysia } from "elysia";
import type { LoginLimiter } from "../auth/login-limiter.js";
import { verifyPassword } from "../auth/passwords.js";
import { findCredentials } from "../store/user.store.js";
import { endSession, refreshSession, type SessionDeps, startSession } from "../use-cases/sessions.js";
import { LoginBody, LogoutBody, normaliseIdentity, RefreshBody, TokenPairSchema } from "./schemas.js";

export interface AuthRouteDeps extends SessionDeps {
  verifier: TokenVerifier;
  limiter: LoginLimiter;
  /** Peers whose X-Forwarded-For is believed (the gateway). */
  trustedProxies: TrustedProxies;
}

export function authRoutes(deps: AuthRouteDeps) {
  const { db, limiter, trustedProxies, logger, verifier } = deps;
  return new Elysia({ tags: ["auth"] })
    .use(requestContext(logger))
    .post(
      "/auth/login",
      async ({ body, request, server, log }) => {
        const ip = clientIp(request, server?.requestIP(request)?.address, trustedProxies);
        const { found, valid } = await limiter.attempt(body.email, ip, async () => {
          const found = await findCredentials(db, body.email);
          return { found, valid: await verifyPassword(body.password, found?.passwordHash) };
        });
        // One answer for an unknown email and a wrong password: nothing tells them apart.
        const invalid = () => new AppError("INVALID_CREDENTIALS", "The email or the password is wrong.");
        if (!found || !valid || found.user.status !== "active") {
          log.info({ ip }, "login failed");
          throw invalid();
        }
        await limiter.giveBack(body.email, ip);
        // Undefined: the password was changed while this login checked the old one.
        const tokens = await startSession(deps, found.user, found.passwordHash);
        if (!tokens) throw invalid();
        return tokens;
      },
      {
        transform: normaliseIdentity,
        body: LoginBody,
        response: { 200: TokenPairSchema },
        detail: {
          summary: "Log in: an access token and a refresh token for email and password",
          ...problems("INVALID_CREDENTIALS", "RATE_LIMITED"),
        },
      },
    )
    .post("/auth/refresh", ({ body }) => refreshSession(deps, body.refreshToken), {
      body: RefreshBody,
      response: { 200: TokenPairSchema },
      detail: {
        summary: "The next token pair for a refresh token, which is spent (a reused one revokes its session)",
        ...problems("UNAUTHENTICATED"),
      },
    })
    .use(
      new Elysia().use(requireAuth(verifier)).post(
        "/auth/logout",
        async ({ body, principal, set }) => {
          await endSession(deps, principal, body?.refreshToken);
          set.status = 204;
        },
        {
          body: LogoutBody,
          detail: {
            summary: "Log out: the session's access and refresh tokens stop working at once",
            responses: { 204: { description: "Logged out" } },
          },
        },
      ),
    );
}
