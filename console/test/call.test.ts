/**
 * The console's `call` against a stand-in gateway on a real socket (the browser suite drives the
 * whole console; this pins rules it cannot easily provoke): only a refusal of the refresh token
 * ends the session — a 429 or a 5xx to the refresh fails the call and keeps the session; and a
 * renewal answered after a logout leaves the tab logged out; logging out forgets the cart.
 */
import { afterAll, beforeEach, expect, test } from "bun:test";

const stored = new Map<string, string>();
let refreshAnswer = 429;
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/api/auth/refresh" && refreshAnswer === 200) {
      await Bun.sleep(100); // a renewal on its way for a while
      return Response.json({
        accessToken: "renewed-access",
        refreshToken: "renewed-refresh",
        expiresIn: 900,
      });
    }
    const status = path === "/api/auth/refresh" ? refreshAnswer : 401; // every access token has expired
    const code = { 401: "UNAUTHENTICATED", 429: "RATE_LIMITED", 503: "DEPENDENCY_UNAVAILABLE" }[status];
    return Response.json(
      { type: "about:blank", title: code, status, code, detail: `${code} here`, requestId: "r-1" },
      { status, headers: { "content-type": "application/problem+json" } },
    );
  },
});
afterAll(() => {
  server.stop(true);
  // Test files share one global scope: the next one must not find a browser here.
  Reflect.deleteProperty(globalThis, "window");
  Reflect.deleteProperty(globalThis, "sessionStorage");
});

// What the browser gives the console: its origin and the tab's sessionStorage.
Object.assign(globalThis, {
  window: { location: { origin: `http://127.0.0.1:${server.port}` } },
  sessionStorage: {
    getItem: (key: string) => stored.get(key) ?? null,
    setItem: (key: string, value: string) => stored.set(key, value),
    removeItem: (key: string) => stored.delete(key),
  },
});
const { call, onSessionEnded, renewTokens } = await import("../src/api/call");
const { clearSession, session, setTokens } = await import("../src/api/session");
const { logOut } = await import("../src/api/auth");
const { addToCart, cart } = await import("../src/cart/cart");

let ended = 0;
onSessionEnded(() => ended++);
beforeEach(() => setTokens({ accessToken: "expired", refreshToken: "still-good" }));

const me = () => call((api) => api.GET("/api/users/me"));

test("a 429 or a 5xx to the refresh fails the call with that problem; the session stays", async () => {
  for (const [status, code] of [
    [429, "RATE_LIMITED"],
    [503, "DEPENDENCY_UNAVAILABLE"],
  ] as const) {
    refreshAnswer = status;
    const outcome = await me();
    expect([outcome.ok, outcome.ok ? undefined : outcome.problem.code]).toEqual([false, code]);
    expect([ended, session.refreshToken]).toEqual([0, "still-good"]);
  }
});

test("a refused refresh token (401) ends the session", async () => {
  refreshAnswer = 401;
  const outcome = await me();
  expect([outcome.ok, ended, session.accessToken]).toEqual([false, 1, null]);
});

test("a renewal that answers after a logout does not log the tab back in", async () => {
  refreshAnswer = 200;
  const renewal = renewTokens();
  clearSession(); // "Log out" pressed while the refresh is on its way
  expect(await renewal).toBe("refused");
  expect([session.accessToken, session.refreshToken]).toEqual([null, null]);
});

test("logging out forgets the cart too: the next person on this tab starts with an empty one", async () => {
  refreshAnswer = 401;
  const lamp = { sku: "LAMP-1", name: "Lamp", priceCents: 2450, currency: "EUR" };
  addToCart(lamp as Parameters<typeof addToCart>[0], 2);
  expect(cart.lines).toHaveLength(1);
  await logOut();
  expect([session.accessToken, cart.lines]).toEqual([null, []]);
});
