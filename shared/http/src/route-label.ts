/**
 * The route a request is counted under in metrics and named by in traces. Elysia's matched pattern
 * unless the app knows better: the gateway's one catch-all (`/api/*`) labels each request with the
 * public prefix it forwards to, so that `POST /api/orders` (the SLO's) is a series of its own.
 */
const labels = new WeakMap<Request, string>();

export function labelRoute(request: Request, label: string): void {
  labels.set(request, label);
}

export const routeLabelOf = (request: Request, route: string): string => labels.get(request) ?? route;
