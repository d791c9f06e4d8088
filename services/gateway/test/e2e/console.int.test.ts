/// <reference lib="dom" />
/**
 * The web console in a real browser: headless Chromium (the OS package; scripts/test.sh installs
 * it, CHROMIUM names another) driven by puppeteer-core against the whole platform through the
 * gateway, which serves the console's built files (console/dist: `bun run test` builds them). A
 * customer registers, orders from the catalog through the cart, sees the live toast of their order
 * and cancels it; an admin ships an order, retries a failed notification and replays dead letters;
 * an admin edits a product. A screenshot of each
 * main screen is saved under .data/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { publishEvent } from "@platform/events";
import { uniqueName, unknownTypeEvent } from "@platform/testing";
import { Redis } from "ioredis";
import puppeteer, { type Browser, type ElementHandle, type Page } from "puppeteer-core";
import { gatewayClient } from "./gateway-client.js";
import { ADMIN, startPlatform } from "./platform.js";

setDefaultTimeout(90_000);

const root = join(import.meta.dir, "..", "..", "..", "..");
const screenshots = join(root, ".data", "screenshots");
const chromium = process.env.CHROMIUM ?? Bun.which("chromium") ?? Bun.which("chromium-browser");

let platform: Awaited<ReturnType<typeof startPlatform>>;
let client: ReturnType<typeof gatewayClient>;
let browser: Browser;
let adminToken: string;
let refusing: ReturnType<typeof Bun.serve>;

beforeAll(async () => {
  if (!chromium) throw new Error("Chromium is not installed: scripts/test.sh installs it (or set CHROMIUM)");
  if (!existsSync(join(root, "console", "dist", "index.html"))) {
    throw new Error("the console is not built: bun run --cwd console build (bun run test does it)");
  }
  mkdirSync(screenshots, { recursive: true });
  // A shop endpoint that refuses every webhook: with one attempt allowed, each fails for good,
  // a failed notification for the admin to retry. (An unreachable one would be an outage, retried.)
  refusing = Bun.serve({ port: 0, fetch: () => new Response("no", { status: 500 }) });
  // An event no consumer knows is dead-lettered on its second delivery, half a second after its first.
  const giveUpSoon = { MAX_DELIVERIES: "1", CLAIM_IDLE_MS: "500" };
  platform = await startPlatform({
    activity: giveUpSoon,
    notification: {
      ...giveUpSoon,
      WEBHOOK_URL: `http://127.0.0.1:${refusing.port}/hook`,
      WEBHOOK_SECRET: "console-test-webhook-secret",
      MAX_ATTEMPTS: "1",
    },
  });
  client = gatewayClient(platform.gateway);
  adminToken = await client.login(ADMIN.email, ADMIN.password);
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  refusing?.stop(true);
});

/** Run in a page before its scripts: counts the WebSockets that opened (`window.openSockets`), keeps them (`window.sockets`). */
function countOpenSockets() {
  const counted = window as unknown as { openSockets: number; sockets: WebSocket[] };
  counted.openSockets = 0;
  counted.sockets = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      counted.sockets.push(this);
      this.addEventListener("open", () => counted.openSockets++);
    }
  };
}

/** A page in a context of its own (its own storage: one person's session). */
async function newPage(): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1100, height: 800 });
  return page;
}

const open = (page: Page, path: string) =>
  page.goto(`${platform.gateway}${path}`, { waitUntil: "networkidle0" });

/**
 * Clicks the button or link whose visible text is `text` (inside `scope`, a CSS selector, when
 * given), once it is there. Chosen by text and role as a person would, not by the app's classes.
 */
async function press(page: Page, text: string, role: "button" | "link" = "button", scope = "body") {
  const tag = role === "button" ? "button" : "a";
  const handle = await page.waitForFunction(
    (selector: string, wanted: string) =>
      [...document.querySelectorAll<HTMLElement>(selector)].find(
        (el) => (el.textContent ?? "").trim() === wanted && !(el as HTMLButtonElement).disabled,
      ),
    {},
    `${scope} ${tag}`,
    text,
  );
  await (handle.asElement() as ElementHandle<HTMLElement>).click();
}

/** Types into the input labelled `label` (its `<label for>`, inside `scope`), replacing what it held. */
async function fill(page: Page, label: string, value: string, scope = "body") {
  const handle = await page.waitForFunction(
    (selector: string, wanted: string) => {
      const tag = [...document.querySelectorAll<HTMLLabelElement>(`${selector} label`)].find(
        (el) => (el.textContent ?? "").trim() === wanted,
      );
      return tag ? document.getElementById(tag.htmlFor) : null;
    },
    {},
    scope,
    label,
  );
  const input = handle.asElement() as ElementHandle<HTMLInputElement>;
  await input.click({ count: 3 });
  await input.press("Backspace");
  await input.type(value);
}

/** A page where the admin has logged in and opened the admin screens. */
async function adminPage(): Promise<Page> {
  const page = await newPage();
  await open(page, "/login");
  await fill(page, "Email", ADMIN.email);
  await fill(page, "Password", ADMIN.password);
  await press(page, "Log in");
  await press(page, "Admin", "link");
  return page;
}

/**
 * A new customer logged in through the login page, on the catalog (its calls need no session, so
 * none of them finds the session over), once its live socket is open.
 */
async function loggedInWithLiveSocket(prefix: string): Promise<Page> {
  const email = `${uniqueName(prefix)}@example.com`;
  await client.api("POST", "/users", {
    body: { email, name: "Live Socket", password: "live-socket-password-1" },
  });
  const page = await newPage();
  await page.evaluateOnNewDocument(countOpenSockets);
  await open(page, "/login");
  await fill(page, "Email", email);
  await fill(page, "Password", "live-socket-password-1");
  await press(page, "Log in");
  await press(page, "Catalog", "link");
  await page.waitForFunction(() =>
    [...document.querySelectorAll("button")].some((el) => (el.textContent ?? "").trim() === "Log out"),
  );
  await page.waitForFunction(() => (window as unknown as { openSockets: number }).openSockets > 0);
  return page;
}

/** Logs the session a tab holds (its sessionStorage entry) out from elsewhere: it is revoked. */
async function revokeElsewhere(stored: string): Promise<void> {
  const { accessToken, refreshToken } = JSON.parse(stored) as { accessToken: string; refreshToken: string };
  const out = await client.api("POST", "/auth/logout", { token: accessToken, body: { refreshToken } });
  expect(out.status).toBe(204);
}

const statusOn = (page: Page) => page.$eval(".order-status", (el) => el.getAttribute("data-status"));

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

describe("the web console", () => {
  test("a customer registers, orders through the cart, sees the live toast and cancels", async () => {
    const name = `Console Lamp ${uniqueName("l")}`;
    const sku = await client.product(adminToken, 10, 2450);
    await client.api("PATCH", `/products/${sku}`, { token: adminToken, body: { name } });
    const page = await newPage();

    await open(page, "/register");
    await fill(page, "Name", "Console Buyer");
    await fill(page, "Email", `${uniqueName("console")}@example.com`);
    await fill(page, "Password", "console-password-1");
    await press(page, "Create account");
    await press(page, "Catalog", "link");
    await page.waitForFunction(() =>
      [...document.querySelectorAll("button")].some((el) => (el.textContent ?? "").trim() === "Log out"),
    );

    await fill(page, "Search", name);
    await page.waitForSelector(`article.product[data-sku="${sku}"]`);
    await shot(page, "catalog");
    await fill(page, "Quantity", "2");
    await press(page, "Add to cart");
    await press(page, "Cart (2)", "link");
    await page.waitForFunction(() => (document.body.textContent ?? "").includes("€49.00"));
    await shot(page, "cart");
    await press(page, "Place order");
    await page.waitForFunction(() => /^\/orders\/[0-9a-f-]{36}$/.test(location.pathname));
    const orderId = new URL(page.url()).pathname.split("/").at(-1) as string;
    await page.waitForFunction(
      () => document.querySelector(".order-status")?.getAttribute("data-status") === "CONFIRMED",
    );

    // The WebSocket's push of this order's notification, as a toast naming the order.
    await page.waitForFunction(
      (id: string) =>
        [...document.querySelectorAll<HTMLElement>(".toasts .toast")].some((toast) =>
          (toast.textContent ?? "").includes(`Order ${id.slice(-8)}`),
        ),
      { timeout: 15_000 },
      orderId,
    );
    await shot(page, "order");
    expect(await client.available(sku)).toBe(8);

    await press(page, "Cancel order");
    await page.waitForFunction(
      () => document.querySelector(".order-status")?.getAttribute("data-status") === "CANCELLED",
    );
    expect(await statusOn(page)).toBe("CANCELLED");
    expect(
      (await client.api<{ status: string }>("GET", `/orders/${orderId}`, { token: adminToken })).body.status,
    ).toBe("CANCELLED");
    await open(page, "/orders");
    await page.waitForSelector(`[href="/orders/${orderId}"]`);
    await shot(page, "orders");
  });

  test("a duplicated tab (its session copied) renews together with the first: neither is logged out", async () => {
    const email = `${uniqueName("tabs")}@example.com`;
    await client.api("POST", "/users", {
      body: { email, name: "Two Tabs", password: "two-tabs-password-1" },
    });
    const pair = await client.api<{ refreshToken: string; accessToken: string }>("POST", "/auth/login", {
      body: { email, password: "two-tabs-password-1" },
    });
    const me = await client.api<Record<string, unknown>>("GET", "/users/me", {
      token: pair.body.accessToken,
    });
    // Both tabs hold the same session, as "Duplicate tab" leaves them, with an access token the edge
    // refuses (as one that expired): each tab's first call renews with the same refresh token.
    const copied = JSON.stringify({
      accessToken: "expired",
      refreshToken: pair.body.refreshToken,
      user: me.body,
    });
    const context = await browser.createBrowserContext();
    const tabs = [await context.newPage(), await context.newPage()];
    for (const tab of tabs) {
      await tab.evaluateOnNewDocument((session: string) => {
        if (!sessionStorage.getItem("console.session")) sessionStorage.setItem("console.session", session);
      }, copied);
    }
    await Promise.all(tabs.map((tab) => open(tab, "/orders")));
    const held = (tab: Page) =>
      tab.evaluate(() => JSON.parse(sessionStorage.getItem("console.session") ?? "{}").refreshToken ?? null);
    for (const tab of tabs) {
      await tab.waitForFunction(
        (first: string) => {
          const stored = JSON.parse(sessionStorage.getItem("console.session") ?? "{}");
          return stored.refreshToken && stored.refreshToken !== first;
        },
        {},
        pair.body.refreshToken,
      );
      expect(new URL(tab.url()).pathname).toBe("/orders");
    }
    const [first, second] = await Promise.all(tabs.map(held));
    expect(second).toBe(first);
    // The session lives on: its current refresh token is good (a reused one would have ended it).
    const renewed = await client.api("POST", "/auth/refresh", { body: { refreshToken: first } });
    expect(renewed.status).toBe(200);
    await context.close();
  });

  test("a session revoked elsewhere ends in the tab as soon as the gateway closes its live socket", async () => {
    const page = await loggedInWithLiveSocket("revoked");
    // Logged out from another device: the session is revoked, and the gateway closes the socket (4401).
    await revokeElsewhere(await page.evaluate(() => sessionStorage.getItem("console.session") ?? "{}"));
    // No call of the page's own needed: the refused renewal after the close ends the session.
    await page.waitForFunction(() => location.pathname === "/login", { timeout: 15_000 });
    await page.browserContext().close();
  });

  test("a session revoked while the live socket was reconnecting ends when the edge refuses the new socket", async () => {
    const page = await loggedInWithLiveSocket("reconnecting");
    // The socket drops (a network blip); while the tab waits to reconnect, the session is revoked
    // elsewhere. No socket to close with 4401: the edge refuses the new one at its upgrade instead.
    const held = await page.evaluate(() => {
      for (const socket of (window as unknown as { sockets: WebSocket[] }).sockets) socket.close();
      return sessionStorage.getItem("console.session") ?? "{}";
    });
    await revokeElsewhere(held);
    await page.waitForFunction(() => location.pathname === "/login", { timeout: 15_000 });
    await page.browserContext().close();
  });

  test("an admin ships an order and retries a failed notification", async () => {
    const buyer = await client.customer();
    const sku = await client.product(adminToken, 10, 1000);
    const placed = await client.api<{ id: string }>("POST", "/orders", {
      token: buyer.token,
      body: { items: [{ sku, quantity: 1 }] },
    });
    expect(placed.status).toBe(201);
    const page = await adminPage();
    await press(page, "Orders", "link", 'nav[aria-label="Admin"]');
    const row = `[data-order-id="${placed.body.id}"]`;
    await page.waitForSelector(row);
    await shot(page, "admin-orders");
    await press(page, "Ship", "button", row);
    await page.waitForFunction(
      (selector) =>
        document.querySelector(`${selector} .order-status`)?.getAttribute("data-status") === "SHIPPED",
      {},
      row,
    );
    expect(
      (await client.api<{ status: string }>("GET", `/orders/${placed.body.id}`, { token: adminToken })).body
        .status,
    ).toBe("SHIPPED");

    // The order's webhook notification failed (the webhook is unreachable, one attempt allowed).
    const { id: failedId, updatedAt } = await (async () => {
      for (let i = 0; i < 100; i++) {
        const failed = await client.api<{ items: Array<{ id: string; updatedAt: string }> }>(
          "GET",
          `/notifications?status=failed&orderId=${placed.body.id}`,
          { token: adminToken },
        );
        const found = failed.body.items[0];
        if (found) return found;
        await Bun.sleep(100);
      }
      const all = await client.api("GET", `/notifications?orderId=${placed.body.id}`, { token: adminToken });
      throw new Error(`no failed notification for the order: ${JSON.stringify(all.body)}`);
    })();
    const failedAt = Date.parse(updatedAt);
    await press(page, "Failed notifications", "link", 'nav[aria-label="Admin"]');
    const failedRow = `[data-notification-id="${failedId}"]`;
    await page.waitForSelector(failedRow);
    await shot(page, "admin-failed-notifications");
    await press(page, "Retry", "button", failedRow);
    await page.waitForSelector(failedRow, { hidden: true });
    const retried = await client.api<{ status: string; updatedAt: string }>(
      "GET",
      `/notifications/${failedId}`,
      {
        token: adminToken,
      },
    );
    // Tried again from the start: pending again, or failed anew on its one attempt, later than before.
    expect(["pending", "failed"]).toContain(retried.body.status);
    expect(Date.parse(retried.body.updatedAt)).toBeGreaterThan(failedAt);
  });

  test("an admin replays dead letters and edits a product", async () => {
    // An event no consumer knows: each group gives up on it, and it waits in the dead letters.
    const redis = new Redis(platform.redisUrl);
    try {
      await publishEvent(redis, platform.streams.orders, unknownTypeEvent("order.teleported"));
    } finally {
      redis.disconnect();
    }
    const page = await adminPage();
    await press(page, "Dead letters", "link", 'nav[aria-label="Admin"]');
    // The consumers retry it a few times first; the list is read again until it shows.
    for (let tries = 0; ; tries++) {
      const shown = await page.$("[data-dead-letter-id]");
      if (shown) break;
      if (tries > 60) throw new Error("no dead letter shown");
      await Bun.sleep(500);
      await page.reload({ waitUntil: "networkidle0" });
    }
    await shot(page, "admin-dead-letters");
    await press(page, "Replay all");
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLElement>(".toasts .toast")].some((toast) =>
        /^Replayed \d+ dead letters?/.test((toast.textContent ?? "").trim()),
      ),
    );

    const sku = await client.product(adminToken, 5, 1200);
    await press(page, "Products", "link", 'nav[aria-label="Admin"]');
    const row = `[data-sku="${sku}"]`;
    await page.waitForSelector(row);
    await press(page, "Edit", "button", row);
    await fill(page, "Name", "Renamed in the console", row);
    await press(page, "Save", "button", row);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLElement>(".toasts .toast")].some((t) =>
        (t.textContent ?? "").trim().startsWith("Saved"),
      ),
    );
    const product = await client.api<{ name: string }>("GET", `/products/${sku}`);
    expect(product.body.name).toBe("Renamed in the console");
  });
});
