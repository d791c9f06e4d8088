import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { httpKernel } from "@platform/http";
import { createLogger } from "@platform/logging";
import { Elysia } from "elysia";
import { consoleResponder } from "./console.js";

const dir = mkdtempSync(join(tmpdir(), "console-"));
mkdirSync(join(dir, "assets"));
writeFileSync(join(dir, "index.html"), "<!doctype html><title>console</title>");
writeFileSync(join(dir, "assets", "index-3f2a.js"), "console.log('app')");
writeFileSync(join(dir, "favicon.svg"), "<svg/>");
writeFileSync(join(tmpdir(), "outside.txt"), "secret");
afterAll(() => rmSync(dir, { recursive: true }));

const logger = createLogger({ service: "gateway", level: "silent" });
const answer = consoleResponder(dir, logger);
// As the gateway has it: the console answers before routing; the edge's own routes are still there.
const app = new Elysia()
  .use(httpKernel({ service: "gateway", logger }))
  .onRequest(({ request }) => answer(request.method, new URL(request.url).pathname))
  .all("/api/*", () => "the api")
  .get("/docs", () => "the docs");
const get = (path: string) => app.handle(new Request(`http://gateway${path}`));

describe("the console's files", () => {
  test("/ is index.html, never cached, under a strict policy", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<title>console</title>");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-security-policy")).toStartWith("default-src 'self'");
  });

  test("hashed assets are cached for a year; other files are not", async () => {
    const asset = await get("/assets/index-3f2a.js");
    expect([asset.status, asset.headers.get("cache-control")]).toEqual([
      200,
      "public, max-age=31536000, immutable",
    ]);
    expect(asset.headers.get("content-type")).toStartWith("text/javascript");
    const icon = await get("/favicon.svg");
    expect([icon.status, icon.headers.get("cache-control")]).toEqual([200, "no-cache"]);
  });

  test("an app route is index.html (the SPA fallback); a missing file is 404", async () => {
    const route = await get("/orders/0193a5a0-0000-7000-8000-000000000001");
    expect([route.status, await route.text()]).toEqual([200, "<!doctype html><title>console</title>"]);
    expect((await get("/assets/gone-1234.js")).status).toBe(404);
  });

  test("a path with a NUL byte names no file: the app's route or a 404, not a 500", async () => {
    expect((await get("/%00")).status).toBe(200);
    expect((await get("/assets/x%00.js")).status).toBe(404);
  });

  test("the edge's own routes stay the edge's", async () => {
    expect(await (await get("/api/payments?orderId=1")).text()).toBe("the api");
    expect(await (await get("/docs")).text()).toBe("the docs");
    // The gateway's own document (every service has one, ARCHITECTURE §1), not the app's index.html.
    const own = await get("/swagger/json");
    expect([own.status, ((await own.json()) as { openapi?: string }).openapi]).toEqual([
      200,
      expect.any(String),
    ]);
  });

  test("nothing outside the folder, and no edge path, is ever served as the app", async () => {
    for (const path of [
      "/..%2foutside.txt",
      "/%2e%2e/outside.txt",
      "/%E0%A4%A.js",
      "/docs/nothing",
      "/api",
      "/metrics/x",
    ]) {
      const res = await get(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(await res.text()).not.toContain("secret");
    }
  });
});
