/**
 * What the gateway exposes (ARCHITECTURE §5): each public path prefix, the service behind it and
 * whether a caller must be logged in. Anything else (internal routes included) is 404 here.
 */
export type ServiceName = "user" | "inventory" | "order" | "activity" | "notification" | "payment";

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

const SANDBOX_CHECKOUT = /^\/payments\/sandbox\/[^/]+\/checkout$/;

/**
 * Anyone may register, log in, refresh and browse the catalog, and a payment provider may deliver
 * its webhooks (their signature is the payment service's check); everything else needs a token.
 */
function isPublic(method: string, path: string): boolean {
  if (method === "POST" && (path === "/users" || path === "/auth/login" || path === "/auth/refresh"))
    return true;
  if (method === "POST" && path.startsWith("/payments/webhooks/")) return true;
  // The sandbox's checkout page: its link carries the payment's client secret instead.
  if ((method === "GET" || method === "POST") && SANDBOX_CHECKOUT.test(path)) return true;
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
  ["/payments", "payment"],
  // Dead letters of every stream: the activity service reads them all.
  ["/admin/dead-letters", "activity"],
];

/**
 * Paths whose every method the edge knows (the public ones that take one method, and the live
 * socket): another method is 405 here, as the service would answer it — before any token is asked
 * for, so the answer does not depend on whether one was sent.
 */
const KNOWN_METHODS: Array<[path: RegExp, methods: string[]]> = [
  [/^\/auth\/(login|refresh|logout)$/, ["POST"]],
  [/^\/payments\/webhooks\/[^/]+$/, ["POST"]],
  [SANDBOX_CHECKOUT, ["GET", "HEAD", "POST"]],
  [/^\/ws$/, ["GET"]],
];

/** The methods a path under /api (given without the /api) takes, when the edge knows them all. */
export function knownMethods(path: string): string[] | undefined {
  return KNOWN_METHODS.find(([pattern]) => pattern.test(path))?.[1];
}

/** An order's payment and refund are the payment service's, though they sit under /orders. */
const ORDER_PAYMENT = /^\/orders\/[^/]+\/(payment|refund)$/;

/**
 * The route for a path under /api (given without the /api), or undefined. The path must already be
 * normalised (no dot segments); internal routes are never matched.
 */
export function matchRoute(method: string, path: string): Route | undefined {
  if (path.split("/").includes("internal")) return undefined;
  if (ORDER_PAYMENT.test(path)) return { service: "payment", authenticated: true, label: "/api/orders/*" };
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
