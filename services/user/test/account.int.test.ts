/** The caller's own account (profile, password) and the admin's user list. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Problem } from "@platform/http";
import { createLogger } from "@platform/logging";
import { eventually, uniqueName } from "@platform/testing";
import type { TokenPair } from "../src/auth/tokens.js";
import { createSession } from "../src/store/session.store.js";
import { findCredentials } from "../src/store/user.store.js";
import { seedAdmin } from "../src/use-cases/seed-admin.js";
import { createUserTestContext, type UserTestContext } from "./test-context.js";

let ctx: UserTestContext;
let adminToken: string;
const admin = { email: `${uniqueName("admin")}@example.com`, password: "admin-password-1" };

beforeAll(async () => {
  ctx = await createUserTestContext();
  await seedAdmin(ctx.db, admin, createLogger({ service: "user", level: "silent" }));
  adminToken = await ctx.login(admin.email, admin.password);
});
afterAll(() => ctx.close());

type User = { id: string; email: string; name: string; phone?: string; role: string; active: boolean };

describe("PATCH /users/me", () => {
  test("changes the name and the phone (E.164); null removes the phone; a bad phone or a blank name is 422", async () => {
    const ann = await ctx.register();
    const token = await ctx.login(ann.email, ann.password);
    const changed = await ctx.call<User>("PATCH", "/users/me", {
      token,
      body: { name: "  Ann Smith ", phone: "+4915112345678" },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: ann.id, name: "Ann Smith", phone: "+4915112345678" });
    expect((await ctx.call<User>("GET", "/users/me", { token })).body.phone).toBe("+4915112345678");
    const cleared = await ctx.call<User>("PATCH", "/users/me", { token, body: { phone: null } });
    expect(cleared.body.phone).toBeUndefined();
    const blank = await ctx.call<Problem>("PATCH", "/users/me", { token, body: { name: "   " } });
    expect([blank.status, blank.body.errors?.[0]?.field]).toEqual([422, "name"]);
    for (const phone of ["015112345678", "+0123456789", "+12", "+49 151 1234"]) {
      const bad = await ctx.call<Problem>("PATCH", "/users/me", { token, body: { phone } });
      expect([phone, bad.status, bad.body.errors?.[0]?.field]).toEqual([phone, 422, "phone"]);
    }
    expect((await ctx.call("PATCH", "/users/me", { body: { name: "x" } })).status).toBe(401);
  });
});

describe("PUT /users/me/password", () => {
  test("with the current password: 204, the new one logs in, the old one not; every other session is revoked, this one stays", async () => {
    const ann = await ctx.register();
    const here = await ctx.session(ann.email, ann.password);
    const elsewhere = await ctx.session(ann.email, ann.password);
    const changed = await ctx.call("PUT", "/users/me/password", {
      token: here.accessToken,
      body: { currentPassword: ann.password, newPassword: "a-brand-new-password" },
    });
    expect(changed.status).toBe(204);
    await eventually(
      "the other session's token refused",
      async () => (await ctx.call("GET", "/users/me", { token: elsewhere.accessToken })).status === 401,
    );
    expect((await ctx.call("GET", "/users/me", { token: here.accessToken })).status).toBe(200);
    const refresh = (refreshToken: string) =>
      ctx.call<TokenPair>("POST", "/auth/refresh", { body: { refreshToken } });
    expect((await refresh(elsewhere.refreshToken)).status).toBe(401);
    expect((await refresh(here.refreshToken)).status).toBe(200);
    const login = (password: string) =>
      ctx.call("POST", "/auth/login", { body: { email: ann.email, password } });
    expect((await login(ann.password)).status).toBe(401);
    expect((await login("a-brand-new-password")).status).toBe(200);
  });

  test("a login that checked the old password while it was changed stores no session", async () => {
    const ann = await ctx.register();
    const here = await ctx.session(ann.email, ann.password);
    // What a login in flight read and checked, before the change.
    const checked = (await findCredentials(ctx.db, ann.email))?.passwordHash ?? "";
    const changed = await ctx.call("PUT", "/users/me/password", {
      token: here.accessToken,
      body: { currentPassword: ann.password, newPassword: "a-brand-new-password" },
    });
    expect(changed.status).toBe(204);
    // Its session, stored only now, would have outlived the change (revoked before it was stored).
    const late = {
      id: Bun.randomUUIDv7(),
      userId: ann.id,
      expiresAt: new Date(Date.now() + 60_000),
      tokenHash: "late-login",
    };
    expect(await createSession(ctx.db, { ...late, passwordHash: checked })).toBe(false);
    const current = (await findCredentials(ctx.db, ann.email))?.passwordHash ?? "";
    expect(await createSession(ctx.db, { ...late, passwordHash: current })).toBe(true);
  });

  test("a login storing its session as the password changes: the change waits for it, then revokes it", async () => {
    const ann = await ctx.register();
    const here = await ctx.session(ann.email, ann.password);
    const checked = (await findCredentials(ctx.db, ann.email))?.passwordHash ?? "";
    // A login in the middle of createSession: the user's row held, its session stored, not committed.
    const stored = Promise.withResolvers<void>();
    const commit = Promise.withResolvers<void>();
    const lateId = Bun.randomUUIDv7();
    const login = ctx.db.transaction().execute(async (trx) => {
      await trx
        .selectFrom("user")
        .select("id")
        .where("id", "=", ann.id)
        .where("passwordHash", "=", checked)
        .forShare()
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("session")
        .values({ id: lateId, userId: ann.id, expiresAt: new Date(Date.now() + 60_000) })
        .execute();
      stored.resolve();
      await commit.promise;
    });
    await stored.promise;
    let changed = false;
    const change = ctx
      .call("PUT", "/users/me/password", {
        token: here.accessToken,
        body: { currentPassword: ann.password, newPassword: "a-brand-new-password" },
      })
      .finally(() => (changed = true));
    await Bun.sleep(500);
    expect(changed).toBe(false); // waiting for the login's hold on the row
    commit.resolve();
    await login;
    expect((await change).status).toBe(204);
    const late = await ctx.db
      .selectFrom("session")
      .select("revokedAt")
      .where("id", "=", lateId)
      .executeTakeFirstOrThrow();
    expect(late.revokedAt).not.toBeNull();
  });

  test("a wrong current password is 403 and changes nothing; a short new one is 422", async () => {
    const ann = await ctx.register();
    const token = await ctx.login(ann.email, ann.password);
    const wrong = await ctx.call<Problem>("PUT", "/users/me/password", {
      token,
      body: { currentPassword: "not-the-password", newPassword: "another-password-1" },
    });
    expect([wrong.status, wrong.body.code]).toEqual([403, "FORBIDDEN"]);
    const short = await ctx.call<Problem>("PUT", "/users/me/password", {
      token,
      body: { currentPassword: ann.password, newPassword: "short" },
    });
    expect([short.status, short.body.errors?.[0]?.field]).toEqual([422, "newPassword"]);
    expect(
      (await ctx.call("POST", "/auth/login", { body: { email: ann.email, password: ann.password } })).status,
    ).toBe(200);
  });
});

describe("GET /users", () => {
  test("admins list users newest first, by email or name, role and activity, a page at a time", async () => {
    const tag = uniqueName("list").replaceAll("_", "");
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await ctx.register(`${tag}-${i}@example.com`)).id);
    const pages: User[][] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: User[]; nextCursor: string | null } } = await ctx.call(
        "GET",
        `/users?q=${tag}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token: adminToken },
      );
      expect(res.status).toBe(200);
      pages.push(res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(pages.flat().map((u) => u.id)).toEqual([...made].reverse());
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);

    await ctx.call("PATCH", `/users/${made[0]}`, { token: adminToken, body: { active: false } });
    const inactive = await ctx.call<{ items: User[] }>("GET", `/users?q=${tag}&active=false`, {
      token: adminToken,
    });
    expect(inactive.body.items.map((u) => u.id)).toEqual([made[0] as string]);
    const admins = await ctx.call<{ items: User[] }>("GET", "/users?role=admin", { token: adminToken });
    expect(admins.body.items.every((u) => u.role === "admin")).toBe(true);
    expect(admins.body.items.some((u) => u.email === admin.email)).toBe(true);
  });

  test("only admins; a search's % and _ are plain characters", async () => {
    const ann = await ctx.register();
    const token = await ctx.login(ann.email, ann.password);
    expect((await ctx.call<Problem>("GET", "/users", { token })).status).toBe(403);
    const wildcard = await ctx.call<{ items: User[] }>("GET", "/users?q=%25", { token: adminToken });
    expect(wildcard.body.items).toEqual([]);
  });
});
