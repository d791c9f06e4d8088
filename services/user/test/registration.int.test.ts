import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Problem } from "@platform/http";
import { createUserTestContext, type UserTestContext } from "./test-context.js";

let ctx: UserTestContext;
beforeAll(async () => {
  ctx = await createUserTestContext();
});
afterAll(() => ctx.close());

describe("POST /users", () => {
  test("registers a user with a normalised email, a Location, and no password hash in the answer", async () => {
    const res = await ctx.call("POST", "/users", {
      body: { email: "  Grace.Hopper@Example.COM ", name: " Grace ", password: "cobol-1959!" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: "grace.hopper@example.com",
      name: "Grace",
      role: "user",
      active: true,
      createdAt: expect.stringMatching(/Z$/),
    });
    expect(res.headers.get("location")).toBe(`/users/${res.body.id}`);
    expect(JSON.stringify(res.body)).not.toContain("argon2");
    const stored = await ctx.db
      .selectFrom("user")
      .select("passwordHash")
      .where("id", "=", String(res.body.id))
      .executeTakeFirstOrThrow();
    expect(stored.passwordHash).toStartWith("$argon2id$");
  });

  test("20 concurrent registrations of one email: exactly one 201, the others 409 EMAIL_TAKEN", async () => {
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ctx.call<Problem>("POST", "/users", {
          body: {
            email: i % 2 ? "race@example.com" : "RACE@example.com",
            name: `Racer ${i}`,
            password: "same-password",
          },
        }),
      ),
    );
    const statuses = attempts.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const conflict of attempts.filter((r) => r.status === 409))
      expect(conflict.body.code).toBe("EMAIL_TAKEN");
    const rows = await ctx.db
      .selectFrom("user")
      .select("id")
      .where("email", "=", "race@example.com")
      .execute();
    expect(rows).toHaveLength(1);
  });

  test.each([
    ["a malformed email", { email: "not-an-email", name: "A", password: "long-enough" }, "email"],
    ["a password of 7 characters", { email: "p7@example.com", name: "A", password: "1234567" }, "password"],
    [
      "a password of 129 characters",
      { email: "p129@example.com", name: "A", password: "x".repeat(129) },
      "password",
    ],
    ["an empty name", { email: "n0@example.com", name: "", password: "long-enough" }, "name"],
    ["a blank name", { email: "nb@example.com", name: "   ", password: "long-enough" }, "name"],
    [
      "a name of 101 characters",
      { email: "n101@example.com", name: "n".repeat(101), password: "long-enough" },
      "name",
    ],
    ["a missing password", { email: "np@example.com", name: "A" }, "password"],
    ["a number for a name", { email: "nn@example.com", name: 42, password: "long-enough" }, "name"],
  ])("%s is 422 VALIDATION_FAILED naming the field, and stores nothing", async (_, body, field) => {
    const before = await ctx.db
      .selectFrom("user")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const res = await ctx.call<Problem>("POST", "/users", { body });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.code).toBe("VALIDATION_FAILED");
    expect(res.body.errors?.map((e) => e.field)).toContain(field);
    const after = await ctx.db
      .selectFrom("user")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  test("malformed JSON is a 400 problem", async () => {
    const res = await ctx.call<Problem>("POST", "/users", { body: '{"email": "x@example.com",' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("MALFORMED_REQUEST");
  });

  test("a role in the body is ignored: nobody can register as admin", async () => {
    const res = await ctx.call("POST", "/users", {
      body: { email: "sneaky@example.com", name: "Sneaky", password: "long-enough", role: "admin" },
    });
    expect(res.status).toBe(201);
    expect(res.body.role).toBe("user");
  });

  test("SQL metacharacters in every field are stored and returned verbatim", async () => {
    const email = "o'brien+test@example.com";
    const name = `Robert'); DROP TABLE "user"; -- \\ %_ $1`;
    const password = `p'"; DROP TABLE users; --`;
    const created = await ctx.call("POST", "/users", { body: { email, name, password } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email, name });
    const token = await ctx.login(email, password);
    const me = await ctx.call("GET", "/users/me", { token });
    expect(me.body).toMatchObject({ email, name });
  });
});
