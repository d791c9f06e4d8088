/**
 * The order service's way to the inventory: the gRPC client (deadline, request id, retries on
 * UNAVAILABLE/DEADLINE_EXCEEDED only) behind a circuit breaker (opossum). While the breaker is
 * open, calls fail at once with 503 DEPENDENCY_UNAVAILABLE instead of waiting on a dead service.
 * gRPC failures become the API's problems here, in one place.
 */
import { AppError, dependencyUnavailable } from "@platform/errors";
import type { Logger } from "@platform/logging";
import {
  type CommitBatchItem,
  createInventoryClient,
  INSUFFICIENT_STOCK_TRAILER,
  InsufficientStock,
  type InventoryClient,
  InventoryServiceDefinition,
  MAX_COMMIT_BATCH,
  ReservationState,
  type ReservedLine,
  requestMetadata,
} from "@platform/proto";
import { ClientError, Status } from "nice-grpc";
import CircuitBreaker from "opossum";
import { Gauge, type Registry } from "prom-client";
import { BatchWhileBusy } from "./batch-while-busy.js";

export interface ReservationClientOptions {
  address: string;
  deadlineMs: number;
  retries: number;
  /** Failure rate (percent) over the rolling window that opens the breaker. */
  breakerErrorPercent: number;
  /** Calls in the window before the rate counts. */
  breakerVolume: number;
  /** How long the breaker stays open before it lets a trial call through. */
  breakerResetMs: number;
  logger: Logger;
  /** The service's /metrics registry: the gRPC client metrics and the breaker's state go there. */
  registry?: Registry;
}

/** What a failed Commit of a batch says it was: the error Commit alone would have failed with. */
const COMMIT_PATH = `/${InventoryServiceDefinition.fullName}/${InventoryServiceDefinition.methods.commit.name}`;

/** Failures that say the inventory is unwell (they count against the breaker); the rest are answers. */
const UNHEALTHY = new Set([Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED, Status.INTERNAL, Status.UNKNOWN]);

export class ReservationClient {
  private readonly inventory: InventoryClient;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private readonly commits = new BatchWhileBusy<CommitBatchItem, ReservationState>(
    (items) => this.commitBatch(items),
    // Two on the wire: a Commit waits for a batch only when the inventory is busy with two already.
    { maxBatch: MAX_COMMIT_BATCH, maxInFlight: 2 },
  );

  constructor(private readonly options: ReservationClientOptions) {
    this.inventory = createInventoryClient({
      address: options.address,
      deadlineMs: options.deadlineMs,
      retries: options.retries,
      registry: options.registry,
    });
    this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
      timeout: false, // each call has its gRPC deadline
      errorThresholdPercentage: options.breakerErrorPercent,
      volumeThreshold: options.breakerVolume,
      resetTimeout: options.breakerResetMs,
      errorFilter: (error) => !(error instanceof ClientError && UNHEALTHY.has(error.code)),
      // Neither is read here (the gRPC client metrics time the calls), and at a few hundred orders
      // a second they cost more than the calls' own bookkeeping: every call's latency kept for ten
      // seconds, then concatenated and sorted for a snapshot every second.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
    });
    this.breaker.on("open", () => options.logger.warn("inventory circuit breaker opened"));
    this.breaker.on("close", () => options.logger.info("inventory circuit breaker closed"));
    if (options.registry) breakerStateGauge(options.registry, "inventory", this.breaker);
  }

  get breakerOpen(): boolean {
    return this.breaker.opened;
  }

  /**
   * Reserves every line for the order (the reservation id), or throws the problem to answer. Says
   * whether the reservation holds the stock now (a new one, or one held already), as opposed to
   * one settled before (committed, returned) that a retry found again.
   */
  async reserve(
    orderId: string,
    lines: Array<{ sku: string; quantity: number }>,
    ttlSeconds: number,
    requestId: string,
  ): Promise<{ lines: ReservedLine[]; holding: boolean }> {
    let shortLines: InsufficientStock | undefined;
    try {
      const reply = await this.call(() =>
        this.inventory.client.reserve(
          { reservationId: orderId, lines, ttlSeconds },
          {
            metadata: requestMetadata(requestId),
            onTrailer: (trailer) => {
              const detail = trailer.get(INSUFFICIENT_STOCK_TRAILER);
              if (detail instanceof Uint8Array) shortLines = InsufficientStock.decode(detail);
            },
          },
        ),
      );
      return { lines: reply.lines, holding: reply.state === ReservationState.RESERVATION_STATE_RESERVED };
    } catch (error) {
      if (error instanceof ClientError && error.code === Status.FAILED_PRECONDITION) {
        throw new AppError("INSUFFICIENT_STOCK", "Some lines cannot be served from stock.", {
          short: shortLines?.lines ?? [],
        });
      }
      if (error instanceof ClientError && error.code === Status.NOT_FOUND) {
        throw new AppError("UNKNOWN_SKU", error.details, {
          errors: [{ field: "items", message: error.details }],
        });
      }
      if (error instanceof ClientError && error.code === Status.INVALID_ARGUMENT) {
        throw new AppError("VALIDATION_FAILED", error.details);
      }
      throw error;
    }
  }

  /**
   * Commits the order's reservation. Commits made while the inventory is busy with earlier ones go
   * out together in one CommitBatch; each still settles on its own, or fails with the ClientError a
   * Commit alone would have failed with.
   */
  commit(orderId: string, requestId: string): Promise<ReservationState> {
    return this.commits.call({ reservationId: orderId, requestId });
  }

  async release(orderId: string, requestId: string): Promise<ReservationState> {
    const { client } = this.inventory;
    const reply = await this.call(() =>
      client.release({ reservationId: orderId }, { metadata: requestMetadata(requestId) }),
    );
    return reply.state;
  }

  /** `committedLines`: the order's lines when its reservation was committed (see ReturnRequest). */
  async returnStock(
    orderId: string,
    requestId: string,
    committedLines: Array<{ sku: string; quantity: number }> = [],
  ): Promise<ReservationState> {
    const { client } = this.inventory;
    const reply = await this.call(() =>
      client.return(
        { reservationId: orderId, lines: committedLines },
        { metadata: requestMetadata(requestId) },
      ),
    );
    return reply.state;
  }

  close(): void {
    this.breaker.shutdown();
    this.inventory.close();
  }

  private async commitBatch(items: CommitBatchItem[]): Promise<Array<ReservationState | ClientError>> {
    const [{ requestId }] = items as [CommitBatchItem];
    const { outcomes } = await this.call(() =>
      this.inventory.client.commitBatch({ items }, { metadata: requestMetadata(requestId) }),
    );
    return outcomes.map(({ state, code, message }) =>
      code === Status.OK ? state : new ClientError(COMMIT_PATH, code, message),
    );
  }

  /** Through the breaker; an open breaker or an unhealthy inventory is a 503. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(fn)) as T;
    } catch (error) {
      if ((error as { code?: string }).code === "EOPENBREAKER") throw dependencyUnavailable("inventory");
      if (error instanceof ClientError && UNHEALTHY.has(error.code)) {
        this.options.logger.warn({ err: error }, "inventory call failed");
        throw dependencyUnavailable("inventory");
      }
      throw error;
    }
  }
}

/** The breaker's state as a number, for alerting on `circuit_breaker_state == 2`. */
const BREAKER_STATE = { closed: 0, halfOpen: 1, open: 2 } as const;

/** `circuit_breaker_state{breaker}`, read from the breaker at scrape time. */
function breakerStateGauge(
  registry: Registry,
  breaker: string,
  circuit: Pick<CircuitBreaker, "opened" | "halfOpen">,
): void {
  new Gauge({
    name: "circuit_breaker_state",
    help: "Circuit breaker state: 0 closed, 1 half-open, 2 open",
    labelNames: ["breaker"] as const,
    registers: [registry],
    collect() {
      this.set(
        { breaker },
        circuit.opened
          ? BREAKER_STATE.open
          : circuit.halfOpen
            ? BREAKER_STATE.halfOpen
            : BREAKER_STATE.closed,
      );
    },
  });
}
