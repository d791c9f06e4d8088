import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { AppError } from "@platform/errors";
import { createLogger } from "@platform/logging";
import { Elysia, t } from "elysia";
import { httpKernel, PROBLEM_CONTENT_TYPE, type Problem } from "../src/index.js";

function captureLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ service: "demo", level: "debug", destination }) };
}

function demoApp(
  readiness: Record<string, () => Promise<unknown>> = {},
  degradable: Record<string, () => Promise<unknown>> = {},
) {
  const { lines, logger } = captureLogs();
  const app = new Elysia()
    .use(httpKernel({ service: "demo", logger, readiness, degradable }))
    .post(
      "/things",
      ({ body, requestId, log }) => {
        log.info({ name: body.name }, "thing made");
        return { requestId, name: body.name };
      },
      {
        body: t.Object({ name: t.String({ minLength: 1 }), count: t.Integer({ minimum: 1, maximum: 10 }) }),
      },
    )
    .get("/conflict", () => {
      throw new AppError("EMAIL_TAKEN", "That email is registered already.");
    })
    .get("/clash", () => {
      throw new AppError("INVALID_TRANSITION", "Paid already.", { status: "SUCCEEDED", code: "X", extra: 1 });
    })
    .get("/boom", () => {
      throw new Error("connect ECONNREFUSED db.internal:5432 select * from users");
    });
  return { app, lines };
}

const post = (body: string, headers: Record<string, string> = {}) =>
  new Request("http://local/things", {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });

describe("httpKernel", () => {
  test("health answers with the service name", async () => {
    const res = await demoApp().app.handle(new Request("http://local/health"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", service: "demo" });
  });

  test("a valid request id is kept, returned and logged; a bad one is replaced", async () => {
    const { app, lines } = demoApp();
    const kept = await app.handle(post('{"name":"a","count":1}', { "x-request-id": "req-123" }));
    expect(kept.headers.get("x-request-id")).toBe("req-123");
    expect(((await kept.json()) as { requestId: string }).requestId).toBe("req-123");
    expect(lines.find((line) => line.msg === "thing made")).toMatchObject({
      service: "demo",
      requestId: "req-123",
    });

    const replaced = await app.handle(post('{"name":"a","count":1}', { "x-request-id": "x".repeat(300) }));
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("validation errors are 422 VALIDATION_FAILED problems with per-field errors", async () => {
    const res = await demoApp().app.handle(post('{"name":"","count":11}'));
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe(PROBLEM_CONTENT_TYPE);
    const body = (await res.json()) as Problem;
    expect(body).toMatchObject({ status: 422, code: "VALIDATION_FAILED", title: "Unprocessable Content" });
    expect(body.requestId).toBe(res.headers.get("x-request-id") ?? "missing");
    const fields = body.errors?.map((e) => e.field);
    expect(fields).toContain("name");
    expect(fields).toContain("count");
  });

  test("malformed JSON is a 400 problem", async () => {
    const res = await demoApp().app.handle(post("{not json"));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "MALFORMED_REQUEST" });
  });

  test("a body declared larger than the limit is 413 PAYLOAD_TOO_LARGE before it is read", async () => {
    const big = JSON.stringify({ name: "x".repeat(1024 * 1024), count: 1 });
    const res = await demoApp().app.handle(post(big, { "content-length": String(big.length) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  test("an undeclared (chunked) body is cut off at the limit as it streams: 413, and never reaches the route", async () => {
    const { app, lines } = demoApp();
    let sent = 0;
    const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.byteLength;
        if (sent > 8 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await app.handle(
      new Request("http://local/things", {
        method: "POST",
        body: endless,
        headers: { "content-type": "application/json" },
        duplex: "half",
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    expect(sent).toBeLessThan(2 * 1024 * 1024); // it stopped reading soon after the limit
    expect(lines.some((line) => line.msg === "thing made")).toBe(false);
  });

  test("JSON nested deeper than the limit is 400 MALFORMED_REQUEST, before it is parsed", async () => {
    const deep = `{"name":${"[".repeat(100_000)}${"]".repeat(100_000)},"count":1}`;
    const res = await demoApp().app.handle(post(deep));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: "MALFORMED_REQUEST",
      detail: expect.stringContaining("deeper"),
    });
  });

  test("brackets inside strings do not count as nesting", async () => {
    const res = await demoApp().app.handle(post(JSON.stringify({ name: "[".repeat(100), count: 1 })));
    expect(res.status).toBe(200);
  });

  test("a NUL character in the body or the query is 422 VALIDATION_FAILED naming the field", async () => {
    const { app } = demoApp();
    const inBody = await app.handle(post('{"name":"a\\u0000b","count":1}'));
    expect(inBody.status).toBe(422);
    expect(await inBody.json()).toMatchObject({
      code: "VALIDATION_FAILED",
      errors: [{ field: "name", message: "must not contain NUL characters" }],
    });
    const inQuery = await app.handle(new Request("http://local/health?q=%00"));
    expect(inQuery.status).toBe(422);
    expect(await inQuery.json()).toMatchObject({ errors: [{ field: "q" }] });
  });

  test("a uuid is the bare 36 characters: the URN form Elysia would take is 422, not a query Postgres refuses", async () => {
    const app = new Elysia()
      .use(httpKernel({ service: "demo", logger: captureLogs().logger }))
      .get("/things", ({ query }) => ({ id: query.id }), {
        query: t.Object({ id: t.String({ format: "uuid" }) }),
      });
    const id = "01900000-0000-7000-8000-000000000000";
    const bare = await app.handle(new Request(`http://local/things?id=${id}`));
    expect([bare.status, await bare.json()]).toEqual([200, { id }]);
    const urn = await app.handle(new Request(`http://local/things?id=urn:uuid:${id}`));
    expect(urn.status).toBe(422);
    expect(await urn.json()).toMatchObject({ code: "VALIDATION_FAILED", errors: [{ field: "id" }] });
  });

  test("a method the path does not support is 405 METHOD_NOT_ALLOWED with Allow; an unknown path stays 404", async () => {
    const { app } = demoApp();
    for (const method of ["GET", "TRACE", "DELETE"]) {
      const res = await app.handle(new Request("http://local/things", { method }));
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
      expect(await res.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED" });
    }
    expect((await app.handle(new Request("http://local/nothing-here"))).status).toBe(404);
  });

  test("the document lists every answer: successes as JSON, the kernel's problems against one Problem schema", async () => {
    const res = await demoApp().app.handle(new Request("http://local/swagger/json"));
    const document = (await res.json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
      >;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    const post = document.paths["/things"]?.post;
    expect(Object.keys(post?.responses ?? {}).sort()).toEqual(["200", "400", "413", "422", "500", "503"]);
    expect(Object.keys(post?.responses["422"]?.content ?? {})).toEqual(["application/problem+json"]);
    expect(document.components.schemas.Problem).toBeDefined();
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
  });

  test("AppError keeps its status and code", async () => {
    const res = await demoApp().app.handle(new Request("http://local/conflict"));
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      status: 409,
      code: "EMAIL_TAKEN",
      detail: "That email is registered already.",
    });
  });

  test("an extension named like a member of the problem never replaces it", async () => {
    const res = await demoApp().app.handle(new Request("http://local/clash"));
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ status: 409, code: "INVALID_TRANSITION", extra: 1 });
  });

  test("an unknown error is a 500 INTERNAL that leaks nothing, and is logged whole", async () => {
    const { app, lines } = demoApp();
    const res = await app.handle(new Request("http://local/boom"));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: "INTERNAL" });
    expect(text).not.toContain("ECONNREFUSED");
    expect(text).not.toContain("db.internal");
    expect(text).not.toContain("select");
    expect(lines.find((line) => line.msg === "unhandled error")?.level).toBe("error");
  });

  test("an unknown route is a 404 NOT_FOUND problem", async () => {
    const res = await demoApp().app.handle(new Request("http://local/nope"));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "NOT_FOUND" });
  });

  test("ready names the failing check with 503", async () => {
    const { app } = demoApp({
      postgres: async () => {},
      redis: async () => Promise.reject(new Error("down")),
    });
    const res = await app.handle(new Request("http://local/ready"));
    expect(res.status).toBe(503);
    const body = (await res.json()) as Problem;
    expect(body).toMatchObject({ code: "DEPENDENCY_UNAVAILABLE", checks: { postgres: "ok", redis: "down" } });
    expect(body.detail).toContain("redis");
  });

  test("a degradable check that fails is reported, and the service stays ready (degraded)", async () => {
    const { app } = demoApp(
      { redis: async () => {} },
      { activity: async () => Promise.reject(new Error("down")) },
    );
    const res = await app.handle(new Request("http://local/ready"));
    expect([res.status, await res.json()]).toEqual([
      200,
      { status: "degraded", service: "demo", checks: { redis: "ok", activity: "down" } },
    ]);
    const { app: worse } = demoApp(
      { redis: async () => Promise.reject(new Error("down")) },
      { activity: async () => Promise.reject(new Error("down")) },
    );
    const notReady = await worse.handle(new Request("http://local/ready"));
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as Problem).detail).toContain("activity, redis");
  });

  test("ready is 200 when every check passes", async () => {
    const { app } = demoApp({ postgres: async () => {} });
    const res = await app.handle(new Request("http://local/ready"));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ready", checks: { postgres: "ok" } });
  });

  test("metrics expose the HTTP histogram by method, route and status", async () => {
    const { app, lines } = demoApp();
    await app.handle(post('{"name":"a","count":1}'));
    await app.handle(new Request("http://local/conflict"));
    await Bun.sleep(20); // onAfterResponse runs once the response is out, after handle() resolves
    const res = await app.handle(new Request("http://local/metrics"));
    const text = await res.text();
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(text).toContain(
      'http_request_duration_seconds_count{service="demo",method="POST",route="/things",status="200"} 1',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{service="demo",method="GET",route="/conflict",status="409"} 1',
    );
    expect(lines.some((line) => line.msg === "request completed" && line.status === 409)).toBe(true);
  });

  test("the OpenAPI document lists the service's routes", async () => {
    const res = await demoApp().app.handle(new Request("http://local/swagger/json"));
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { info: { title: string }; paths: Record<string, unknown> };
    expect(doc.info.title).toBe("demo service");
    expect(Object.keys(doc.paths)).toContain("/things");
  });
});
