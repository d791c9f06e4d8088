/**
 * A nice-grpc client of InventoryService with the platform's call policy: every call has a
 * deadline, carries the request id (and, traced, its span's `traceparent`) in metadata, and is retried with backoff only on UNAVAILABLE or
 * DEADLINE_EXCEEDED (every InventoryService call is idempotent per reservation id).
 */

import { tracingEnabled } from "@platform/telemetry";
import { type Channel, createChannel, createClientFactory, Metadata, Status } from "nice-grpc";
import { deadlineMiddleware } from "nice-grpc-client-middleware-deadline";
import { retryMiddleware } from "nice-grpc-client-middleware-retry";
import type { Registry } from "prom-client";
import { type InventoryServiceClient, InventoryServiceDefinition } from "./gen/inventory/v1/inventory.js";
import { grpcClientMetricsMiddleware } from "./grpc-metrics.js";
import { grpcClientTracing } from "./grpc-tracing.js";

export const REQUEST_ID_METADATA_KEY = "x-request-id";

/** The most items one CommitBatch takes (the contract says so). */
export const MAX_COMMIT_BATCH = 500;

/** Trailer that carries the InsufficientStock detail of a FAILED_PRECONDITION from Reserve. */
export const INSUFFICIENT_STOCK_TRAILER = "inventory-insufficient-stock-bin";

export interface InventoryClientOptions {
  /** host:port of the inventory gRPC server. */
  address: string;
  /** Deadline of each attempt unless a call gives its own. */
  deadlineMs?: number;
  /** Retries after the first attempt, for UNAVAILABLE and DEADLINE_EXCEEDED only. */
  retries?: number;
  /** Where the calls' grpc_client_* metrics go (the service's /metrics registry); none if absent. */
  registry?: Registry;
  /**
   * While calls are in flight, a ping after this long without one, and the connection given up
   * if its answer takes as long again (at most 5 s). Without it a connection that went silent (the
   * server's host gone, a partition: no FIN, no RST) stayed the channel's for good, and every call
   * on it ran into its deadline even once a new server was up.
   */
  keepaliveMs?: number;
}

export interface InventoryClient {
  client: InventoryServiceClient<InventoryCallOptions>;
  channel: Channel;
  close(): void;
}

export type InventoryCallOptions = {
  deadline?: Date | number;
  retry?: boolean;
  retryMaxAttempts?: number;
  retryBaseDelayMs?: number;
};

export function createInventoryClient({
  address,
  deadlineMs = 2_000,
  retries = 2,
  registry,
  keepaliveMs = 10_000,
}: InventoryClientOptions): InventoryClient {
  const channel = createChannel(address, undefined, {
    "grpc.keepalive_time_ms": keepaliveMs,
    "grpc.keepalive_timeout_ms": Math.min(keepaliveMs, 5_000),
  });
  // The tracing middleware only when tracing was started (before the client is made): with it off,
  // no extra layer on every call.
  const factory = tracingEnabled() ? createClientFactory().use(grpcClientTracing) : createClientFactory();
  const client = factory
    .use(retryMiddleware)
    .use(deadlineMiddleware)
    .use(grpcClientMetricsMiddleware(registry))
    .create(InventoryServiceDefinition, channel, {
      "*": {
        deadline: deadlineMs,
        retry: true,
        retryMaxAttempts: retries,
        retryBaseDelayMs: 50,
        retryableStatuses: [Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED],
      },
    });
  return {
    client: client as InventoryServiceClient<InventoryCallOptions>,
    channel,
    close: () => channel.close(),
  };
}

/** Call metadata carrying the request id. */
export const requestMetadata = (requestId: string) => Metadata({ [REQUEST_ID_METADATA_KEY]: requestId });
