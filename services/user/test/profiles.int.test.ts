import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { userRevokedAt } from "@platform/auth";
import { type Problem, serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { eventually, httpClient } from "@platform/testing";
import { sql } from "kysely";
import { seedAdmin } from "../src/use-cases/seed-admin.js";
import { changeAccess } from "../src/use-cases/user-access.js";
import { createUserTestContext, type UserTestContext } from "./test-context.js";

let ctx: UserTestContext;
let adminToken: string;
const logger = createLogger({ service: "user", level: "silent" });

beforeAll(async () => {
  ctx = await createUserTestContext();
  await seedAdmin(ctx.db, { email: "Admin@Example.com", password: "admin-password" }, logger);
  adminToken = await ctx.login("admin@example.com", "admin-password");
});
afterAll(() => ctx.close());

describe("profiles", () => {
  test("GET /users/{id}: the user and an admin see it; another user gets 404 like for a missing id", async () => {
    const ann = await ctx.register();
    const bob = await ctx.register();
    const annToken = await ctx.login(ann.email, ann.password);
    const bobToken = await ctx.login(bob.email, bob.password);

    expect((await ctx.call("GET", `/users/${ann.id}`, { token: annToken })).status).toBe(200);
    const asAdmin = await ctx.call("GET", `/users/${ann.id}`, { token: adminToken });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body).toMatchObject({ id: ann.id, email: ann.email });

    const asBob = await ctx.call<Problem>("GET", `/users/${ann.id}`, { token: bobToken });
    const missing = await ctx.call<Problem>("GET", "/users/01900000-0000-7000-8000-000000000000", {
      token: adminToken,
    });
    const garbage = await ctx.call<Problem>("GET", "/users/not-a-uuid", { token: adminToken });
    for (const res of [asBob, missing, garbage]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
    }
  });

  test("GET /internal/users/{id} tells the order service who the user is and whether they are active", async () => {
    const ann = await ctx.register();
    const res = await ctx.call("GET", `/internal/users/${ann.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: ann.id,
      email: ann.email,
      name: "Test User",
      role: "user",
      active: true,
      notificationPreferences: { email: true, sms: true, webhook: true },
    });
    expect((await ctx.call("GET", "/internal/users/01900000-0000-7000-8000-000000000000")).status).toBe(404);
  });

  test("notification preferences: all on until changed; PUT takes all three and the internal view carries them with the phone", async () => {
    const ann = await ctx.register();
    const token = await ctx.login(ann.email, ann.password);
    const path = "/users/me/notification-preferences";
    expect((await ctx.call("GET", path, { token })).body).toEqual({ email: true, sms: true, webhook: true });
    const partial = await ctx.call<Problem>("PUT", path, { token, body: { email: false, sms: true } });
    const notBoolean = await ctx.call<Problem>("PUT", path, {
      token,
      body: { email: "no", sms: true, webhook: true },
    });
    for (const res of [partial, notBoolean])
      expect([res.status, res.body.code]).toEqual([422, "VALIDATION_FAILED"]);
    expect((await ctx.call("GET", path)).status).toBe(401);
    const chosen = { email: false, sms: true, webhook: false };
    expect((await ctx.call("PUT", path, { token, body: chosen })).body).toEqual(chosen);
    expect((await ctx.call("GET", path, { token })).body).toEqual(chosen);
    await ctx.call("PATCH", "/users/me", { token, body: { phone: "+4915112345678" } });
    expect((await ctx.call("GET", `/internal/users/${ann.id}`)).body).toMatchObject({
      phone: "+4915112345678",
      notificationPreferences: chosen,
    });
  });

  test("PATCH /users/{id}: an admin deactivates a user; the user's tokens are refused at once (403) and login too", async () => {
    const ann = await ctx.register();
    const annSession = await ctx.session(ann.email, ann.password);
    const annToken = annSession.accessToken;
    const changed = await ctx.call("PATCH", `/users/${ann.id}`, {
      token: adminToken,
      body: { active: false },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: ann.id, active: false, role: "user" });
    await eventually(
      "the token refused",
      async () => (await ctx.call("GET", "/users/me", { token: annToken })).status === 403,
    );
    expect(
      (await ctx.call("POST", "/auth/login", { body: { email: ann.email, password: ann.password } })).status,
    ).toBe(401);
    // Active again: a new login works (old tokens stay revoked).
    await ctx.call("PATCH", `/users/${ann.id}`, { token: adminToken, body: { active: true } });
    await Bun.sleep(1_000); // a token issued in the second of the revocation counts as before it
    const fresh = await ctx.login(ann.email, ann.password);
    expect((await ctx.call("GET", "/users/me", { token: fresh })).status).toBe(200);
    expect((await ctx.call("GET", "/users/me", { token: annToken })).status).toBe(401);
    // Deactivation ended the sessions: a refresh token from before it does not come back with her.
    const old = await ctx.call("POST", "/auth/refresh", { body: { refreshToken: annSession.refreshToken } });
    expect(old.status).toBe(401);
  });

  test("the platform keeps an active admin: of two admins demoting each other at once, one is refused", async () => {
    const own = await createUserTestContext();
    try {
      await seedAdmin(own.db, { email: "first@example.com", password: "admin-password" }, logger);
      const first = await own.login("first@example.com", "admin-password");
      const firstId = (await own.call<{ id: string }>("GET", "/users/me", { token: first })).body.id;
      const second = await own.register();
      const deps = { db: own.db, redis: own.redis, logger };
      await changeAccess(deps, firstId, second.id, { role: "admin" });
      // Each as the other's admin, at once (the use case itself: over HTTP the first revocation can
      // refuse the other's token before its change is tried, which hides the race).
      const raceStartedAt = Date.now();
      const outcomes = await Promise.allSettled([
        changeAccess(deps, firstId, second.id, { role: "user" }),
        changeAccess(deps, second.id, firstId, { status: "disabled" }),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
      const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
      expect((refused.reason as { code?: string }).code).toBe("FORBIDDEN");
      // The refused change revoked nothing: the admin who remains keeps their tokens.
      const survivor = outcomes[0]?.status === "fulfilled" ? firstId : second.id;
      const survivorRevokedAt = (await userRevokedAt(own.redis, survivor)) ?? 0;
      expect(survivorRevokedAt).toBeLessThan(raceStartedAt);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from "user" where role = 'admin' and status = 'active'`.execute(own.db);
      expect(rows[0]?.n).toBe(1);
    } finally {
      await own.close();
    }
  });

  test("PATCH /users/{id}: only admins, never on oneself, only role and active change, 404 for no such user", async () => {
    const ann = await ctx.register();
    const annToken = await ctx.login(ann.email, ann.password);
    const admin = await ctx.call<{ id: string }>("GET", "/users/me", { token: adminToken });
    const cases: Array<[string, string, unknown, number]> = [
      [annToken, ann.id, { role: "admin" }, 403],
      [adminToken, admin.body.id, { active: false }, 403],
      [adminToken, admin.body.id.toUpperCase(), { role: "user" }, 403], // the same uuid
      // Nothing to change (unknown members are ignored): the user as it is.
      [adminToken, ann.id, {}, 200],
      [adminToken, ann.id, { email: "x@example.com" }, 200],
      [adminToken, "01900000-0000-7000-8000-000000000000", { active: false }, 404],
    ];
    for (const [token, id, body, status] of cases) {
      expect({ id, body, status: (await ctx.call("PATCH", `/users/${id}`, { token, body })).status }).toEqual(
        {
          id,
          body,
          status,
        },
      );
    }
    const promoted = await ctx.call("PATCH", `/users/${ann.id}`, {
      token: adminToken,
      body: { role: "admin" },
    });
    expect(promoted.body).toMatchObject({ role: "admin", active: true });
  });

  test("the admin seed never promotes an account registered through the API", async () => {
    const squatter = await ctx.register();
    expect(await seedAdmin(ctx.db, { email: squatter.email, password: "admin-password-2" }, logger)).toBe(
      false,
    );
    const token = await ctx.login(squatter.email, squatter.password);
    const me = await ctx.call<{ role: string }>("GET", "/users/me", { token });
    expect(me.body.role).toBe("user");
    // Nor does the seed's password open that account.
    expect(
      (
        await ctx.call("POST", "/auth/login", {
          body: { email: squatter.email, password: "admin-password-2" },
        })
      ).status,
    ).toBe(401);
  });

  test("the admin seed is idempotent and never duplicates", async () => {
    expect(
      await seedAdmin(ctx.db, { email: "admin@example.com", password: "another-password" }, logger),
    ).toBe(true);
    const admins = await ctx.db
      .selectFrom("user")
      .select(["email", "role"])
      .where("email", "=", "admin@example.com")
      .execute();
    expect(admins).toEqual([{ email: "admin@example.com", role: "admin" }]);
    // The first password stays: the seed does not overwrite credentials on every start.
    expect(await ctx.login("admin@example.com", "admin-password")).toBeString();
  });

  test("failed logins per client IP are limited too (X-Forwarded-For from the gateway, a trusted peer)", async () => {
    // Over a real socket from 127.0.0.1: X-Forwarded-For is believed only from a trusted peer.
    const limited = await createUserTestContext({
      TRUSTED_PROXIES: "loopback",
      LOGIN_MAX_FAILURES_PER_IP: "2",
    });
    const running = serve(limited.app, { port: 0, logger });
    const call = httpClient(running.url);
    const ip = { "x-forwarded-for": "198.51.100.7" };
    for (const email of ["a@example.com", "b@example.com"]) {
      const res = await call("POST", "/auth/login", {
        body: { email, password: "wrong-password" },
        headers: ip,
      });
      expect(res.status).toBe(401);
    }
    const blocked = await call<Problem>("POST", "/auth/login", {
      body: { email: "c@example.com", password: "wrong-password" },
      headers: ip,
    });
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe("RATE_LIMITED");
    const otherIp = await call("POST", "/auth/login", {
      body: { email: "c@example.com", password: "wrong-password" },
      headers: { "x-forwarded-for": "198.51.100.8" },
    });
    expect(otherIp.status).toBe(401);
    await running.shutdown();
    await limited.close();
  });
});
