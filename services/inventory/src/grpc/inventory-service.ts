/**
 * The InventoryService gRPC implementation (proto/inventory/v1/inventory.proto). Handlers check
 * input and leave every stock change to one script, which also prices the lines from the sellable
 * catalog in Redis: a reservation touches no database.
 */
import { AppError } from "@platform/errors";
import {
  type CommitBatchItem,
  INSUFFICIENT_STOCK_TRAILER,
  InsufficientStock,
  type InventoryServiceImplementation,
  MAX_COMMIT_BATCH,
  ReservationState,
  StockStatus,
} from "@platform/proto";
import { type CallContext, ServerError, Status } from "nice-grpc";
import {
  mergeLines,
  type RequestedLine,
  type ReservationState as State,
  stockStatus,
} from "../domain/stock.js";
import type { StockEventRelay } from "../events/stock-event-relay.js";
import type { SettleAction, SettleOutcome, StockStore } from "../stock/stock-store.js";
import { grpcStatusOf, type RequestContext } from "./request-context.js";

export interface InventoryServiceDeps {
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
    throw new AppError("VALIDATION_FAILED", "reservation_id must be 1-128 letters, digits or . _ : -");
  }
}

function throwIfAborted(context: CallContext): void {
  if (context.signal.aborted) throw new ServerError(Status.DEADLINE_EXCEEDED, "the call's deadline passed");
}

export function inventoryService(deps: InventoryServiceDeps): InventoryServiceImplementation<RequestContext> {
  const { stock } = deps;

  async function settle(
    action: SettleAction,
    reservationId: string,
    context: CallContext & RequestContext,
    committedLines: readonly RequestedLine[] = [],
  ) {
    throwIfAborted(context);
    const state = await settleOne(action, reservationId, committedLines);
    context.log.debug({ reservationId, state }, `reservation ${action}`);
    return { reservationId, state: STATES[state] };
  }

  async function settleOne(
    action: SettleAction,
    reservationId: string,
    committedLines: readonly RequestedLine[] = [],
  ): Promise<State> {
    checkReservationId(reservationId);
    const outcome: SettleOutcome = await stock.settle(action, reservationId, {
      committedLines: committedLines.length > 0 ? mergeLines(committedLines) : [],
    });
    if (outcome.result === "not_found") throw new AppError("NOT_FOUND", `No reservation ${reservationId}.`);
    if (outcome.result !== "ok") {
      throw new AppError("INVALID_TRANSITION", `Cannot ${action} a reservation that is ${outcome.state}.`);
    }
    return outcome.state;
  }

  /** One item of a CommitBatch: its own outcome, what Commit alone would have answered. */
  async function commitItem({ reservationId, requestId }: CommitBatchItem, context: RequestContext) {
    try {
      const state = await settleOne("commit", reservationId);
      // Logged under the request that owes the Commit (the call's own is the batch's first).
      if (context.log.isLevelEnabled("debug")) {
        context.logFor(requestId).debug({ reservationId, state }, "reservation commit");
      }
      return { reservationId, state: STATES[state], code: Status.OK, message: "" };
    } catch (error) {
      if (!(error instanceof AppError)) throw error; // Redis away: the whole call fails (UNAVAILABLE)
      const failed = ReservationState.RESERVATION_STATE_UNSPECIFIED;
      return { reservationId, state: failed, code: grpcStatusOf(error), message: error.message };
    }
  }

  return {
    async getStock({ skus }) {
      const unique = [...new Set(skus)];
      const levels = await stock.levels(unique);
      const missing = unique.filter((sku) => !levels.has(sku));
      if (missing.length > 0) throw new AppError("UNKNOWN_SKU", `Unknown SKU: ${missing.join(", ")}.`);
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
          "VALIDATION_FAILED",
          `ttl_seconds must be between 0 and ${deps.maxReservationTtlSeconds}.`,
        );
      }
      // A call that arrives with its deadline already passed learns so from a timer grpc-js set when
      // the call came in: let that timer run first (same delay, so it fires before this one).
      await new Promise((resolve) => setTimeout(resolve, 0));
      throwIfAborted(context);
      const outcome = await stock.reserve({
        reservationId,
        requestId: context.requestId,
        expiresAt: Date.now() + (ttlSeconds || deps.reservationTtlSeconds) * 1000,
        lines: merged,
      });
      if (outcome.result === "unknown_sku") {
        throw new AppError("UNKNOWN_SKU", `Unknown SKU: ${outcome.skus.join(", ")}.`);
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
        // Most reservations queue no event: waking the relay for them costs three Redis calls each.
        if (outcome.queuedEvents > 0) deps.stockEvents.nudge();
        context.log.debug({ reservationId, lines: merged.length }, "stock reserved");
      }
      return {
        reservationId,
        lines: outcome.lines,
        expiresAt: new Date(outcome.expiresAt).toISOString(),
        state: STATES[outcome.state],
      };
    },

    commit: ({ reservationId }, context) => settle("commit", reservationId, context),
    async commitBatch({ items }, context) {
      if (items.length > MAX_COMMIT_BATCH) {
        throw new AppError("VALIDATION_FAILED", `A CommitBatch takes at most ${MAX_COMMIT_BATCH} items.`);
      }
      throwIfAborted(context);
      return { outcomes: await Promise.all(items.map((item) => commitItem(item, context))) };
    },
    release: ({ reservationId }, context) => settle("release", reservationId, context),
    return: ({ reservationId, lines }, context) => settle("return", reservationId, context, lines),
  };
}
