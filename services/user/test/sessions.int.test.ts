/** Sessions: refresh-token rotation, reuse detection, logout, and revocation reaching the verifier. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RevocationList } from "@platform/auth";
import type { Problem } from "@platform/http";
import { createLogger } from "@platform/logging";
import { eventually } from "@platform/testing";
import { decodeJwt } from "jose";
import { sql } from "kysely";
import type { TokenPair } from "../src/auth/tokens.js";
import { createUserRuntime } from "../src/runtime.js";
import { pruneSessions } from "../src/store/session.store.js";
import { createUserTestContext, type UserTestContext } from "./test-context.js";

let ctx: UserTestContext;
beforeAll(async () => {
  ctx = await createUserTestContext();
});
afterAll(() => ctx.close());

const refresh = (refreshToken: string) =>
  ctx.call<TokenPair & Problem>("POST", "/auth/refresh", { body: { refreshToken } });
const me = (token: string) => ctx.call("GET", "/users/me", { token });

async function newSession() {
  const user = await ctx.register();
  return { user, pair: await ctx.session(user.email, user.password) };
}

describe("sessions", () => {
  test("login answers a short-lived access token and a refresh token; a refresh spends it for the next pair", async () => {
    const { pair } = await newSession();
    expect(pair).toMatchObject({ tokenType: "Bearer", expiresIn: 900, refreshExpiresIn: 14 * 86_400 });
    expect(pair.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const next = await refresh(pair.refreshToken);
    expect(next.status).toBe(200);
    expect(next.body.refreshToken).not.toBe(pair.refreshToken);
    expect((await me(next.body.accessToken)).status).toBe(200);
    // Both access tokens are valid: rotation does not end the session.
    expect((await me(pair.accessToken)).status).toBe(200);
  });

  test("a spent refresh token presented again revokes the whole session: every token of it stops working", async () => {
    const { pair } = await newSession();
    const next = (await refresh(pair.refreshToken)).body;
    const reused = await refresh(pair.refreshToken);
    expect([reused.status, reused.body.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect((await refresh(next.refreshToken)).status).toBe(401);
    await eventually(
      "the session's access tokens refused",
      async () => (await me(next.accessToken)).status === 401,
    );
    expect((await me(pair.accessToken)).status).toBe(401);
  });

  test("two concurrent uses of one refresh token: one is served, the other counts as a reuse", async () => {
    const { pair } = await newSession();
    const answers = await Promise.all([refresh(pair.refreshToken), refresh(pair.refreshToken)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
    const winner = answers.find((a) => a.status === 200)?.body as TokenPair;
    expect((await refresh(winner.refreshToken)).status).toBe(401);
  });

  test("logout is 204; the session's access token and refresh token stop working at once, other sessions do not", async () => {
    const { user, pair } = await newSession();
    const other = await ctx.session(user.email, user.password);
    const out = await ctx.call("POST", "/auth/logout", { token: pair.accessToken, body: {} });
    expect(out.status).toBe(204);
    await eventually("the access token refused", async () => (await me(pair.accessToken)).status === 401);
    expect((await refresh(pair.refreshToken)).status).toBe(401);
    expect((await me(other.accessToken)).status).toBe(200);
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  test("logout with the refresh token of another of one's sessions ends that one too; another user's is left alone", async () => {
    const { user, pair } = await newSession();
    const second = await ctx.session(user.email, user.password);
    const stranger = await newSession();
    await ctx.call("POST", "/auth/logout", {
      token: pair.accessToken,
      body: { refreshToken: second.refreshToken },
    });
    expect((await refresh(second.refreshToken)).status).toBe(401);
    const foreign = await ctx.session(user.email, user.password);
    await ctx.call("POST", "/auth/logout", {
      token: foreign.accessToken,
      body: { refreshToken: stranger.pair.refreshToken },
    });
    expect((await refresh(stranger.pair.refreshToken)).status).toBe(200);
  });

  test("a refresh token is refused once its session expired, after its user was disabled, or when unknown", async () => {
    const expired = await newSession();
    await sql`update session set expires_at = now() - interval '1 second'
      where user_id = ${expired.user.id}`.execute(ctx.db);
    expect((await refresh(expired.pair.refreshToken)).status).toBe(401);

    const disabled = await newSession();
    await ctx.db.updateTable("user").set({ status: "disabled" }).where("id", "=", disabled.user.id).execute();
    expect((await refresh(disabled.pair.refreshToken)).status).toBe(401);

    expect((await refresh("A".repeat(43))).status).toBe(401);
    expect((await refresh("not a token!")).status).toBe(422);
  });

  test("sessions that ended before the retention cutoff are deleted with their refresh tokens; live ones stay", async () => {
    const ended = await newSession();
    const live = await newSession();
    await ctx.call("POST", "/auth/logout", { token: ended.pair.accessToken, body: {} });
    await sql`update session set revoked_at = now() - interval '8 days' where user_id = ${ended.user.id}`.execute(
      ctx.db,
    );
    const cutoff = new Date(Date.now() - 7 * 86_400_000);
    expect(await pruneSessions(ctx.db, cutoff)).toBeGreaterThanOrEqual(1);
    const left = async (userId: string) =>
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from refresh_token t join session s on s.id = t.session_id
          where s.user_id = ${userId}`.execute(ctx.db)
      ).rows[0]?.n;
    expect(await left(ended.user.id)).toBe(0);
    expect(await left(live.user.id)).toBe(1);
    expect((await refresh(live.pair.refreshToken)).status).toBe(200);
  });

  test("revocations Redis lost (a crash in its last second) are announced again from Postgres when the service starts, and when Redis comes back", async () => {
    const loggedOut = await newSession();
    expect(
      (await ctx.call("POST", "/auth/logout", { token: loggedOut.pair.accessToken, body: {} })).status,
    ).toBe(204);
    const deactivated = await newSession();
    await sql`update "user" set status = 'disabled', updated_at = now() where id = ${deactivated.user.id}`.execute(
      ctx.db,
    );
    const facts = (token: string) => {
      const { sub, sid, iat } = decodeJwt(token);
      return { userId: sub as string, sessionId: sid as string, issuedAt: iat as number };
    };
    // Lost with Redis's last second: the logout's announcement (the deactivation's never made it).
    await ctx.redis.zrem("auth:revoked:sessions", facts(loggedOut.pair.accessToken).sessionId);

    const runtime = createUserRuntime(ctx.config, {
      db: ctx.db,
      redis: ctx.redis,
      keys: ctx.keys,
      logger: createLogger({ service: "user", level: "silent" }),
    });
    // A verifier that starts afterwards (a gateway scaled out) knows both again.
    const bothKnown = async () => {
      const fresh = await RevocationList.start(ctx.redis);
      try {
        return (
          fresh.revocationOf(facts(loggedOut.pair.accessToken)) !== undefined &&
          fresh.revocationOf(facts(deactivated.pair.accessToken))?.reason === "deactivated"
        );
      } finally {
        await fresh.close();
      }
    };
    runtime.start();
    try {
      await eventually("both announced again at start-up", bothKnown);
      // Redis crashes again while the service runs: lost, then announced once the connection is back.
      await ctx.redis.zrem("auth:revoked:sessions", facts(loggedOut.pair.accessToken).sessionId);
      expect(await bothKnown()).toBe(false);
      ctx.redis.disconnect(true); // dropped and made again, as after a restart
      await eventually("both announced again once Redis is back", bothKnown);
    } finally {
      await runtime.stop();
    }
  });

  test("logout needs a valid access token", async () => {
    expect((await ctx.call("POST", "/auth/logout", { body: {} })).status).toBe(401);
  });
});
