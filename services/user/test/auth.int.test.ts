import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTokenVerifier, RevocationList, type TokenVerifier } from "@platform/auth";
import { createDatabase } from "@platform/db";
import { type Problem, type RunningService, serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { httpClient } from "@platform/testing";
import { generateKeyPair, SignJWT } from "jose";
import { createUserRuntime } from "../src/runtime.js";
import type { UserDatabase } from "../src/store/user.table.js";
import { createUserTestContext, type UserTestContext } from "./test-context.js";

let ctx: UserTestContext;
let running: RunningService;
let verifier: TokenVerifier;

beforeAll(async () => {
  ctx = await createUserTestContext({ LOGIN_MAX_FAILURES_PER_EMAIL: "3", LOGIN_MAX_FAILURES_PER_IP: "50" });
  // A real listener, so the shared verifier fetches the JWKS over a socket like every other service.
  running = serve(ctx.app, {
    port: 0,
    hostname: "127.0.0.1",
    logger: createLogger({ service: "user", level: "silent" }),
  });
  verifier = createTokenVerifier({
    keys: { jwksUrl: `${running.url}/.well-known/jwks.json` },
    issuer: ctx.config.JWT_ISSUER,
    audience: ctx.config.JWT_AUDIENCE,
  });
});
afterAll(async () => {
  await running.shutdown("test over");
  await ctx.close();
});

/** Changes one character of the token's signature. */
const flipByte = (token: string) => {
  const i = token.length - 5;
  return token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
};
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("login and tokens", () => {
  test("register → login → /users/me, and the token verifies through the shared verifier", async () => {
    const user = await ctx.register("Round.Trip@example.com");
    const login = await ctx.call("POST", "/auth/login", {
      body: { email: "ROUND.TRIP@example.com ", password: user.password },
    });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({
      accessToken: expect.any(String),
      tokenType: "Bearer",
      expiresIn: ctx.config.JWT_TTL_SECONDS,
      refreshToken: expect.any(String),
      refreshExpiresIn: ctx.config.REFRESH_TTL_SECONDS,
    });
    const token = String(login.body.accessToken);

    const me = await ctx.call("GET", "/users/me", { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id, email: "round.trip@example.com", role: "user" });

    expect(await verifier.verify(token)).toMatchObject({
      userId: user.id,
      email: "round.trip@example.com",
      role: "user",
    });
    const [header, claims] = token
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, "base64url").toString()));
    expect(header).toMatchObject({ alg: "EdDSA", kid: ctx.keys.kid, typ: "JWT" });
    expect(Object.keys(claims).sort()).toEqual([
      "aud",
      "email",
      "exp",
      "iat",
      "iss",
      "jti",
      "role",
      "sid",
      "sub",
    ]);
  });

  test("the verifier rejects a flipped byte, a wrong aud, an expired exp and alg none", async () => {
    const user = await ctx.register();
    const token = await ctx.login(user.email, user.password);
    const sign = (claims: { aud?: string; exp?: number }) =>
      new SignJWT({ email: user.email, role: "user" })
        .setProtectedHeader({ alg: "EdDSA", kid: ctx.keys.kid })
        .setSubject(user.id)
        .setIssuer(ctx.config.JWT_ISSUER)
        .setAudience(claims.aud ?? ctx.config.JWT_AUDIENCE)
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 600)
        .sign(ctx.keys.privateKey);
    const [, payload] = token.split(".");
    const unsigned = `${base64url({ alg: "none", typ: "JWT" })}.${payload}.`;
    const { privateKey: strangerKey } = await generateKeyPair("EdDSA");
    const forged = await new SignJWT({ email: user.email, role: "admin" })
      .setProtectedHeader({ alg: "EdDSA", kid: ctx.keys.kid })
      .setSubject(user.id)
      .setIssuer(ctx.config.JWT_ISSUER)
      .setAudience(ctx.config.JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(strangerKey);

    const bad = {
      "flipped byte": flipByte(token),
      "wrong aud": await sign({ aud: "someone-else" }),
      expired: await sign({ exp: Math.floor(Date.now() / 1000) - 3600 }),
      "alg none": unsigned,
      "signed by another key": forged,
    };
    for (const [what, candidate] of Object.entries(bad)) {
      const rejected = await verifier.verify(candidate).then(
        () => `${what} was accepted`,
        (error: { status?: number; code?: string }) => `${error.status} ${error.code}`,
      );
      expect(rejected).toBe("401 UNAUTHENTICATED");
      const res = await ctx.call<Problem>("GET", "/users/me", { token: candidate });
      expect([what, res.status, res.body.code]).toEqual([what, 401, "UNAUTHENTICATED"]);
    }
  });

  test("a wrong password and an unknown email give the same 401 INVALID_CREDENTIALS", async () => {
    const user = await ctx.register();
    const wrong = await ctx.call<Problem>("POST", "/auth/login", {
      body: { email: user.email, password: "not-the-password" },
    });
    const unknown = await ctx.call<Problem>("POST", "/auth/login", {
      body: { email: "nobody-here@example.com", password: "not-the-password" },
    });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("INVALID_CREDENTIALS");
      expect(res.body.detail).toBe("The email or the password is wrong.");
    }
  });

  test("failed logins per email are limited: 429 RATE_LIMITED with Retry-After, even for the right password", async () => {
    const user = await ctx.register();
    for (let i = 0; i < 3; i++) {
      const res = await ctx.call("POST", "/auth/login", {
        body: { email: user.email, password: `guess-${i}-wrong` },
      });
      expect(res.status).toBe(401);
    }
    const blocked = await ctx.call<Problem>("POST", "/auth/login", {
      body: { email: user.email, password: user.password },
    });
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe("RATE_LIMITED");
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(ctx.config.LOGIN_FAILURE_WINDOW_SECONDS);
    // Another account is not affected by this email's failures.
    const other = await ctx.register();
    expect(
      (await ctx.call("POST", "/auth/login", { body: { email: other.email, password: other.password } }))
        .status,
    ).toBe(200);
  });

  test("a login that cannot be checked (Postgres away) is 503 and uses up none of the limit", async () => {
    const user = await ctx.register();
    // The same service, its Postgres unreachable; the same Redis, so the same counters.
    const unreachable = createDatabase<UserDatabase>({
      url: "postgres://platform:platform@127.0.0.1:1/platform",
      schema: "users",
    });
    const revocations = await RevocationList.start(ctx.redis);
    const logger = createLogger({ service: "user", level: "silent" });
    const { app } = createUserRuntime(ctx.config, {
      db: unreachable,
      redis: ctx.redis,
      keys: ctx.keys,
      revocations,
      logger,
    });
    const away = httpClient(app, "http://user.test");
    try {
      for (let i = 0; i < ctx.config.LOGIN_MAX_FAILURES_PER_EMAIL + 2; i++) {
        const res = await away<Problem>("POST", "/auth/login", {
          body: { email: user.email, password: user.password },
        });
        expect([res.status, res.body.code]).toEqual([503, "DEPENDENCY_UNAVAILABLE"]);
      }
    } finally {
      await revocations.close();
      await unreachable.destroy();
    }
    const back = await ctx.call("POST", "/auth/login", {
      body: { email: user.email, password: user.password },
    });
    expect(back.status).toBe(200);
  });

  test("concurrent wrong passwords cannot outrun the limit: only as many are checked as it allows", async () => {
    const user = await ctx.register();
    const limit = ctx.config.LOGIN_MAX_FAILURES_PER_EMAIL;
    const answers = await Promise.all(
      Array.from({ length: limit + 17 }, (_, i) =>
        ctx.call("POST", "/auth/login", { body: { email: user.email, password: `guess-${i}-wrong` } }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(limit);
    expect(statuses.filter((status) => status === 429)).toHaveLength(17);
  });

  test("successful logins do not use up the limits", async () => {
    const user = await ctx.register();
    for (let i = 0; i < ctx.config.LOGIN_MAX_FAILURES_PER_EMAIL + 2; i++) {
      const res = await ctx.call("POST", "/auth/login", {
        body: { email: user.email, password: user.password },
      });
      expect(res.status).toBe(200);
    }
  });

  test("a request without a token, or with a malformed Authorization header, is 401 UNAUTHENTICATED", async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: "Basic abc" },
      { authorization: "Bearer" },
    ];
    for (const headers of attempts) {
      const res = await ctx.call<Problem>("GET", "/users/me", { headers });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("UNAUTHENTICATED");
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
    }
  });

  test("login with a malformed body is 422", async () => {
    const res = await ctx.call<Problem>("POST", "/auth/login", { body: { email: "x@example.com" } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("VALIDATION_FAILED");
  });
});
