/**
 * What the gateway exposes (ARCHITECTURE §5): each public path prefix, the service behind it and
 * whether a caller must be logged in. Anything else (internal routes included) is 404 here.
 */
export type ServiceName = "user" | "inventory" | "order" | "activity" | "notification";

export interface Route {
  service: ServiceName;
  /** Needs a verified bearer token before it is forwarded. */
  authenticated: boolean;
  /**
   * What metrics and traces call it: the prefix itself (`/api/orders`) or anything below it
   * (`/api/orders/*`): few values, and `POST /api/orders` (the SLO's) apart from the rest.
   */
  label: string;
}

/** Anyone may register, log in, refresh and browse the catalog; everything else needs a token. */
function isPublic(method: string, path: string): boolean {
  if (method === "POST" && (path === "/users" || path === "/auth/login" || path === "/auth/refresh"))
    return true;
  if ((method === "GET" || method === "HEAD") && (path === "/products" || path.startsWith("/products/")))
    return true;
  return false;
}

const PREFIXES: Array<[prefix: string, service: ServiceName]> = [
  ["/users", "user"],
  ["/auth", "user"],
  ["/products", "inventory"],
  ["/orders", "order"],
  ["/activity", "activity"],
  ["/notifications", "notification"],
];

/**
 * The route for a path under /api (given without the /api), or undefined. The path must already be
 * normalised (no dot segments); internal routes are never matched.
 */
export function matchRoute(method: string, path: string): Route | undefined {
  if (path.split("/").includes("internal")) return undefined;
  for (const [prefix, service] of PREFIXES) {
    if (path === prefix || path.startsWith(`${prefix}/`))
      return {
        service,
        authenticated: !isPublic(method, path),
        label: path === prefix ? `/api${prefix}` : `/api${prefix}/*`,
      };
  }
  return undefined;
}
