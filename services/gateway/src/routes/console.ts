/**
 * The web console (ARCHITECTURE §11) at `/`: the files Vite built into CONSOLE_DIR.
 * - Hashed assets (`/assets/…`: their names change with their content) are cached for a year;
 *   index.html and the other files never (`no-cache`), so a new build shows at once.
 * - Any other GET that names no file and has no extension is one of the app's own routes
 *   (`/orders/…`): index.html, and the app's router takes it from there (the SPA fallback).
 * - Paths of the edge itself (/api, /docs, /swagger, /health, /ready, /metrics) never fall back to the app.
 * A strict Content-Security-Policy: the app's own scripts, styles and connections only (its API and
 * WebSocket are same-origin).
 */
import { existsSync, statSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import { notFound } from "@platform/errors";
import type { Logger } from "@platform/logging";
import { SECURITY_HEADERS } from "../domain/security-headers.js";

const EDGE_PATHS = ["/api", "/docs", "/swagger", "/health", "/ready", "/metrics"];

const CONSOLE_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

const IMMUTABLE = "public, max-age=31536000, immutable";

/** The console's answer to a request (its method and path), or undefined for one that is not the console's. */
export function consoleResponder(dir: string, logger: Logger) {
  const root = resolve(dir);
  const index = join(root, "index.html");
  if (!existsSync(index)) {
    logger.warn({ dir: root }, "the web console is not built (bun run --cwd console build); / answers 404");
  }

  /** The built file a path names, if it is one inside the console's folder. */
  function fileOf(path: string): string | undefined {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return undefined; // malformed percent-encoding names no file
    }
    if (decoded.includes("\0")) return undefined; // nor does a NUL byte (the file system refuses it)
    const candidate = resolve(root, `.${decoded}`);
    if (candidate !== root && !candidate.startsWith(root + sep)) return undefined;
    // One stat, not an existence check and then a stat: this runs for every GET the console answers.
    return statSync(candidate, { throwIfNoEntry: false })?.isFile() ? candidate : undefined;
  }

  const serve = (file: string, cacheControl: string) =>
    new Response(Bun.file(file), {
      headers: { ...SECURITY_HEADERS, ...CONSOLE_HEADERS, "cache-control": cacheControl },
    });

  /** The console's answer to a GET, or undefined for what is not the console's (the edge's own paths). */
  function answer(path: string): Response | undefined {
    if (EDGE_PATHS.some((edge) => path === edge || path.startsWith(`${edge}/`))) return undefined;
    const file = path === "/" ? undefined : fileOf(path);
    if (file) return serve(file, path.startsWith("/assets/") ? IMMUTABLE : "no-cache");
    if (extname(path) !== "" || !existsSync(index)) throw notFound(`No such file: ${path}.`);
    return serve(index, "no-cache");
  }

  // Answered before routing (the gateway's onRequest), not as a `GET /*` route: in Elysia a wildcard
  // GET route is chosen over the edge's own routes (`/api/*`, `/docs`).
  return (method: string, path: string): Response | undefined =>
    method === "GET" || method === "HEAD" ? answer(path) : undefined;
}
