/**
 * The InventoryService gRPC implementation (proto/inventory/v1/inventory.proto). Handlers check
 * input, read the catalog for the price snapshot, and leave every stock change to one script.
 */
import { AppError } from "@platform/http";
import {
  INSUFFICIENT_STOCK_TRAILER,
  InsufficientStock,
  type InventoryServiceImplementation,
  ReservationState,
  StockStatus,
} from "@platform/proto";
import { type CallContext, ServerError, Status } from "nice-grpc";
import { findProducts, type InventoryDb } from "../catalog/product.store.js";
import { mergeLines, type ReservationState as State, stockStatus } from "../domain/stock.js";
import type { StockEventRelay } from "../events/stock-event-relay.js";
import type { SettleAction, SettleOutcome, StockStore } from "../stock/stock-store.js";
import type { RequestContext } from "./request-context.js";

export interface InventoryServiceDeps {
  db: InventoryDb;
  stock: StockStore;
  stockEvents: StockEventRelay;
  reservationTtlSeconds: number;
  maxReservationTtlSeconds: number;
}

const STATES: Record<State, ReservationState> = {
  reserved: ReservationState.RESERVATION_STATE_RESERVED,
  committed: ReservationState.RESERVATION_STATE_COMMITTED,
  released: ReservationState.RESERVATION_STATE_RELEASED,
  returned: ReservationState.RESERVATION_STATE_RETURNED,
  expired: ReservationState.RESERVATION_STATE_EXPIRED,
};

const STOCK_STATUSES = {
  in_stock: StockStatus.STOCK_STATUS_IN_STOCK,
  low_stock: StockStatus.STOCK_STATUS_LOW_STOCK,
  out_of_stock: StockStatus.STOCK_STATUS_OUT_OF_STOCK,
} as const;

const RESERVATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function checkReservationId(reservationId: string): void {
  if (!RESERVATION_ID.test(reservationId)) {
    throw new AppError(422, "VALIDATION_FAILED", "reservation_id must be 1-128 letters, digits or . _ : -");
  }
}

function throwIfAborted(context: CallContext): void {
  if (context.signal.aborted) throw new ServerError(Status.DEADLINE_EXCEEDED, "the call's deadline passed");
}

export function inventoryService(deps: InventoryServiceDeps): InventoryServiceImplementation<RequestContext> {
  const { db, stock } = deps;

  async function settle(action: SettleAction, reservationId: string, context: CallContext & RequestContext) {
    checkReservationId(reservationId);
    throwIfAborted(context);
    const outcome: SettleOutcome = await stock.settle(action, reservationId);
    if (outcome.result === "not_found")
      throw new AppError(404, "NOT_FOUND", `No reservation ${reservationId}.`);
    if (outcome.result !== "ok") {
      throw new AppError(
        409,
        "INVALID_TRANSITION",
        `Cannot ${action} a reservation that is ${outcome.state}.`,
      );
    }
    context.log.info({ reservationId, state: outcome.state }, `reservation ${action}`);
    return { reservationId, state: STATES[outcome.state] };
  }

  return {
    async getStock({ skus }) {
      const unique = [...new Set(skus)];
      const levels = await stock.levels(unique);
      const missing = unique.filter((sku) => !levels.has(sku));
      if (missing.length > 0) throw new AppError(404, "UNKNOWN_SKU", `Unknown SKU: ${missing.join(", ")}.`);
      return {
        items: unique.map((sku) => {
          const level = levels.get(sku) as NonNullable<ReturnType<typeof levels.get>>;
          return {
            sku,
            available: level.available,
            reserved: level.reserved,
            status: STOCK_STATUSES[stockStatus(level)],
          };
        }),
      };
    },

    async reserve({ reservationId, lines, ttlSeconds }, context) {
      checkReservationId(reservationId);
      const merged = mergeLines(lines);
      if (ttlSeconds < 0 || ttlSeconds > deps.maxReservationTtlSeconds) {
        throw new AppError(
          422,
          "VALIDATION_FAILED",
          `ttl_seconds must be between 0 and ${deps.maxReservationTtlSeconds}.`,
        );
      }
      throwIfAborted(context);
      const products = new Map(
        (
          await findProducts(
            db,
            merged.map((l) => l.sku),
          )
        ).map((p) => [p.sku, p]),
      );
      const unknown = merged.filter((l) => !products.has(l.sku)).map((l) => l.sku);
      if (unknown.length > 0) throw new AppError(404, "UNKNOWN_SKU", `Unknown SKU: ${unknown.join(", ")}.`);
      throwIfAborted(context);

      const outcome = await stock.reserve({
        reservationId,
        requestId: context.requestId,
        expiresAt: Date.now() + (ttlSeconds || deps.reservationTtlSeconds) * 1000,
        lines: merged.map(({ sku, quantity }) => {
          const product = products.get(sku) as NonNullable<ReturnType<typeof products.get>>;
          return {
            sku,
            quantity,
            name: product.name,
            unitPriceCents: product.priceCents,
            currency: product.currency,
          };
        }),
      });
      if (outcome.result === "unknown_sku") {
        throw new AppError(404, "UNKNOWN_SKU", `No stock record for: ${outcome.skus.join(", ")}.`);
      }
      if (outcome.result === "insufficient") {
        context.trailer.set(
          INSUFFICIENT_STOCK_TRAILER,
          InsufficientStock.encode({ lines: outcome.short }).finish(),
        );
        const skus = outcome.short.map(
          (s) => `${s.sku} (requested ${s.requested}, available ${s.available})`,
        );
        throw new ServerError(Status.FAILED_PRECONDITION, `Insufficient stock: ${skus.join(", ")}`);
      }
      if (outcome.result === "reserved") {
        deps.stockEvents.nudge();
        context.log.info({ reservationId, lines: merged.length }, "stock reserved");
      }
      return {
        reservationId,
        lines: outcome.lines,
        expiresAt: new Date(outcome.expiresAt).toISOString(),
        state: STATES[outcome.state],
      };
    },

    commit: ({ reservationId }, context) => settle("commit", reservationId, context),
    release: ({ reservationId }, context) => settle("release", reservationId, context),
    return: ({ reservationId }, context) => settle("return", reservationId, context),
  };
}
