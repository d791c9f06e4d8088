/** The order API (through the gateway at /api/orders). Every route needs a caller. */
import { assertAdmin, requireAuth, type TokenVerifier } from "@platform/auth";
import { AppError, notFound } from "@platform/errors";
import { isUuid, keysetPage, PageOf, PROBLEM_CONTENT_TYPE, problems, requestContext } from "@platform/http";
import { Elysia } from "elysia";
import { canSee, toOrderView } from "../domain/order.js";
import { findOrder, listOrders } from "../store/order.store.js";
import { changeStatus } from "../use-cases/change-status.js";
import { idempotent } from "../use-cases/idempotent-request.js";
import type { OrderDeps } from "../use-cases/order-deps.js";
import { placeOrder } from "../use-cases/place-order.js";
import type { PlacementMetrics } from "../use-cases/placement-metrics.js";
import {
  IdempotencyHeaders,
  OrderListQuery,
  OrderParams,
  OrderSchema,
  PlaceOrderBody,
  StatusBody,
} from "./schemas.js";

export interface OrderRouteDeps extends OrderDeps {
  verifier: TokenVerifier;
  idempotency: { leaseMs: number; waitMs: number };
  placements: PlacementMetrics;
}

/** The body of POST /orders in a canonical form, so "the same body" ignores key order and spacing. */
const requestHash = (items: Array<{ sku: string; quantity: number }>) =>
  new Bun.CryptoHasher("sha256").update(JSON.stringify(items.map((i) => [i.sku, i.quantity]))).digest("hex");

export function ordersRoutes(deps: OrderRouteDeps) {
  return new Elysia({ tags: ["orders"] })
    .use(requestContext(deps.logger))
    .use(requireAuth(deps.verifier))
    .post(
      "/orders",
      async ({ body, headers, principal, requestId }) => {
        const key = headers["idempotency-key"];
        const place = async (orderId: string) => {
          const placed = await placeOrder(deps, {
            orderId,
            principal,
            items: body.items,
            requestId,
            idempotencyKey: key,
          });
          return { status: 201, body: placed.order, recorded: placed.keyCompleted };
        };
        const answer = await deps.placements.measure(async () =>
          key
            ? idempotent(
                deps.db,
                {
                  userId: principal.userId,
                  key,
                  requestHash: requestHash(body.items),
                  requestId,
                  ...deps.idempotency,
                },
                place,
              )
            : { ...(await place(Bun.randomUUIDv7())), replayed: false },
        );
        const responseHeaders: Record<string, string> = { "content-type": "application/json" };
        if (answer.replayed) responseHeaders["idempotent-replayed"] = "true";
        if (answer.status === 201) responseHeaders.location = `/orders/${(answer.body as { id: string }).id}`;
        if (answer.status >= 400) responseHeaders["content-type"] = PROBLEM_CONTENT_TYPE;
        return new Response(JSON.stringify(answer.body), {
          status: answer.status,
          headers: { ...responseHeaders, "x-request-id": requestId },
        });
      },
      {
        body: PlaceOrderBody,
        headers: IdempotencyHeaders,
        // Documents the answer; the handler builds the Response itself (a replay answers stored bytes).
        response: { 201: OrderSchema },
        detail: {
          summary: "Place an order (Idempotency-Key optional)",
          ...problems(
            "INSUFFICIENT_STOCK",
            "UNKNOWN_SKU",
            "IDEMPOTENCY_KEY_REUSED",
            "IDEMPOTENCY_KEY_IN_PROGRESS",
          ),
        },
      },
    )
    .get(
      "/orders/:id",
      async ({ params, principal }) => {
        const order = isUuid(params.id) ? await findOrder(deps.db, params.id) : undefined;
        if (!order || !canSee(order, principal)) throw notFound("No such order.");
        return toOrderView(order);
      },
      {
        params: OrderParams,
        response: { 200: OrderSchema },
        detail: { summary: "One order (owner or admin)" },
      },
    )
    .get(
      "/orders",
      async ({ query, principal }) => {
        if (query.userId && principal.role !== "admin") {
          throw new AppError("FORBIDDEN", "Only an admin may list another user's orders.");
        }
        return keysetPage({
          cursor: query.cursor,
          limit: query.limit,
          isPosition: isUuid,
          fetch: (beforeId, limit) =>
            listOrders(deps.db, {
              userId: principal.role === "admin" ? query.userId : principal.userId,
              status: query.status,
              beforeId,
              limit,
            }),
          positionOf: (order) => order.id,
          view: toOrderView,
        });
      },
      {
        query: OrderListQuery,
        response: { 200: PageOf(OrderSchema) },
        detail: { summary: "Orders, newest first (own; an admin may filter by user)" },
      },
    )
    .post(
      "/orders/:id/cancel",
      async ({ params, principal, requestId }) => {
        if (!isUuid(params.id)) throw notFound("No such order.");
        return changeStatus(deps, { orderId: params.id, to: "CANCELLED", principal, requestId });
      },
      {
        params: OrderParams,
        response: { 200: OrderSchema },
        detail: { summary: "Cancel an order (owner or admin)", ...problems("INVALID_TRANSITION") },
      },
    )
    .post(
      "/orders/:id/status",
      async ({ params, body, principal, requestId }) => {
        assertAdmin(principal);
        if (!isUuid(params.id)) throw notFound("No such order.");
        if (body.status === "CONFIRMED" || body.status === "PENDING_PAYMENT") {
          if (!(await findOrder(deps.db, params.id))) throw notFound("No such order.");
          // Confirming is the payment's (or the placement's) to do, never an admin's.
          throw new AppError(
            "INVALID_TRANSITION",
            `An order cannot be set ${body.status} here; ship, deliver or cancel it.`,
            { to: body.status },
          );
        }
        return changeStatus(deps, { orderId: params.id, to: body.status, principal, requestId });
      },
      {
        params: OrderParams,
        body: StatusBody,
        response: { 200: OrderSchema },
        detail: { summary: "Ship, deliver or cancel an order (admin)", ...problems("INVALID_TRANSITION") },
      },
    );
}
