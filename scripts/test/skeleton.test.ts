/**
 * Every service has the same skeleton (README, "Layout"): main.ts → runtime.ts (wiring) → app.ts,
 * config.ts, routes/, domain/, and where it has them store/ (with store/migrations/), events/,
 * clients/ and use-cases/. Folders for what only one service does are named here, so a new one is
 * a decision, not a drift. And the domain stays pure: it imports nothing from HTTP, configuration,
 * storage or routes.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dir, "..", "..");
const servicesDir = join(root, "services");
const SERVICES = readdirSync(servicesDir).filter((name) => statSync(join(servicesDir, name)).isDirectory());

const REQUIRED = ["main.ts", "runtime.ts", "app.ts", "config.ts", "routes", "domain"];
const SHARED_FOLDERS = new Set(["routes", "domain", "store", "events", "clients", "use-cases"]);
/** Commands a service ships besides main.ts (`bun run migrate`, `bun run reconcile`). */
const COMMANDS = new Set(["migrate.ts", "reconcile.ts"]);
/** What only one service does. */
const OWN_FOLDERS: Record<string, string[]> = {
  gateway: ["proxy", "rate-limit"],
  inventory: ["grpc", "stock"],
  notification: ["channels", "delivery", "ws"],
  order: ["tasks"],
  payment: ["providers"],
  user: ["auth"],
};

/** What a domain module may not import: the transport, the configuration, the storage, the routes. */
const FORBIDDEN_IN_DOMAIN = [
  /^\.\.\/(routes|store|events|clients|use-cases)\//,
  /^\.\.\/(app|config|runtime|main)\.js$/,
  /^@platform\/(http|config|db|redis|outbox|auth)$/,
  /^(elysia|kysely|pg|ioredis|mongodb|nice-grpc)$/,
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

const importsOf = (file: string) =>
  [...readFileSync(file, "utf8").matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map(
    (match) => match[1] as string,
  );

describe("the service skeleton", () => {
  test("every service has main.ts, runtime.ts, app.ts, config.ts, routes/ and domain/", () => {
    for (const service of SERVICES) {
      const missing = REQUIRED.filter((entry) => !existsSync(join(servicesDir, service, "src", entry)));
      expect({ service, missing }).toEqual({ service, missing: [] });
    }
  });

  test("every folder and file at the top of src/ is a shared one, a command, or named as the service's own", () => {
    for (const service of SERVICES) {
      const src = join(servicesDir, service, "src");
      const unexpected = readdirSync(src).filter((entry) => {
        if (statSync(join(src, entry)).isDirectory()) {
          return !SHARED_FOLDERS.has(entry) && !OWN_FOLDERS[service]?.includes(entry);
        }
        return !REQUIRED.includes(entry) && !COMMANDS.has(entry);
      });
      expect({ service, unexpected }).toEqual({ service, unexpected: [] });
    }
  });

  test("tables, stores of Postgres and migrations live in store/", () => {
    for (const service of SERVICES) {
      const src = join(servicesDir, service, "src");
      const misplaced = filesUnder(src)
        .map((file) => relative(src, file))
        .filter((path) => /\.(table|store)\.ts$|(^|\/)migrations\//.test(path) && !path.startsWith("store/"));
      expect({ service, misplaced }).toEqual({ service, misplaced: [] });
    }
  });

  test("the domain imports nothing from HTTP, configuration, storage or routes", () => {
    for (const service of SERVICES) {
      const domain = join(servicesDir, service, "src", "domain");
      for (const file of filesUnder(domain).filter((path) => path.endsWith(".ts"))) {
        const forbidden = importsOf(file).filter((spec) =>
          FORBIDDEN_IN_DOMAIN.some((rule) => rule.test(spec)),
        );
        expect({ file: relative(root, file), forbidden }).toEqual({
          file: relative(root, file),
          forbidden: [],
        });
      }
    }
  });

  test("the import check sees what it must refuse", () => {
    expect(FORBIDDEN_IN_DOMAIN.some((rule) => rule.test("../config.js"))).toBe(true);
    expect(FORBIDDEN_IN_DOMAIN.some((rule) => rule.test("../store/order.store.js"))).toBe(true);
    expect(FORBIDDEN_IN_DOMAIN.some((rule) => rule.test("@platform/http"))).toBe(true);
    expect(FORBIDDEN_IN_DOMAIN.some((rule) => rule.test("@platform/events"))).toBe(false);
    expect(FORBIDDEN_IN_DOMAIN.some((rule) => rule.test("./templates.js"))).toBe(false);
  });
});
