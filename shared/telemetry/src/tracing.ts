/**
 * OpenTelemetry tracing for a service (ARCHITECTURE §10): on when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set, spans exported over OTLP (`http/protobuf`, or `http/json`) in batches; off otherwise, and
 * then every helper here returns at once, so a service without a collector pays nothing.
 *
 * Context travels in an AsyncLocalStorage (Bun has it); W3C `traceparent` carries it between
 * processes (HTTP headers, gRPC metadata, a field on stream entries, a column where work waits in
 * Postgres). Bun runs none of OpenTelemetry's monkey-patching instrumentations, so the spans are
 * made by the platform's own code: the HTTP kernel, the HTTP and gRPC clients, Kysely's query log,
 * ioredis commands, the stream consumers and the deliveries.
 */
import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";

export interface TracingSettings {
  /** service.name of every span. */
  service: string;
  /** Base URL of an OTLP/HTTP receiver (a collector, Jaeger); spans go to `<endpoint>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_PROTOCOL?: "http/protobuf" | "http/json";
  /** Longest a finished span waits before its batch is sent. */
  OTEL_BSP_SCHEDULE_DELAY?: number;
  /**
   * The share of new traces recorded (parent-based: a trace begun elsewhere keeps its caller's
   * decision), 1 by default; under load a smaller share keeps most of the cost away.
   */
  OTEL_TRACES_SAMPLER_ARG?: number;
}

export interface Tracing {
  enabled: boolean;
  /** Sends what is buffered and stops (a closer of the service). */
  shutdown(): Promise<void>;
}

let enabled = false;
let manager: AsyncLocalStorageContextManager | undefined;
const tracer = () => trace.getTracer("order-platform");

/**
 * Starts tracing when an endpoint is configured; once per process. The SDK and its exporters are
 * loaded only then: a service without a collector does not carry them (5–10 MB less memory per
 * idle service, measured).
 */
export async function startTracing(settings: TracingSettings): Promise<Tracing> {
  const endpoint = settings.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return { enabled: false, shutdown: async () => {} };
  const [
    { AsyncLocalStorageContextManager },
    { W3CTraceContextPropagator },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider },
  ] = await Promise.all([
    import("@opentelemetry/context-async-hooks"),
    import("@opentelemetry/core"),
    // Only the exporter of the configured protocol.
    settings.OTEL_EXPORTER_OTLP_PROTOCOL === "http/json"
      ? import("@opentelemetry/exporter-trace-otlp-http")
      : import("@opentelemetry/exporter-trace-otlp-proto"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/sdk-trace"),
  ]);
  const url = `${endpoint.replace(/\/+$/, "")}/v1/traces`;
  const exporter = new OTLPTraceExporter({ url });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": settings.service }),
    sampler: new ParentBasedSampler({
      root: new TraceIdRatioBasedSampler(settings.OTEL_TRACES_SAMPLER_ARG ?? 1),
    }),
    spanProcessors: [
      new BatchSpanProcessor({ exporter, scheduledDelayMillis: settings.OTEL_BSP_SCHEDULE_DELAY ?? 1_000 }),
    ],
  });
  manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  return {
    enabled: true,
    async shutdown() {
      enabled = false;
      await provider.shutdown();
      // Unregistered, so that a later startTracing in the same process (a test) registers anew.
      trace.disable();
      context.disable();
      propagation.disable();
      manager = undefined;
    },
  };
}

export const tracingEnabled = () => enabled;

/** The context a W3C `traceparent` (and `tracestate`) describes; the root context without one. */
export function contextFrom(carrier: { traceparent?: string | null; tracestate?: string | null }): Context {
  if (!enabled || !carrier.traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, {
    traceparent: carrier.traceparent,
    ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
  });
}

/** The `traceparent` of a context (the active one by default), to carry it onward. */
export function traceparentOf(from: Context = context.active()): string | undefined {
  if (!enabled) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  return carrier.traceparent;
}

/** Adds `traceparent` (and `tracestate`) of the active context to outgoing headers or metadata. */
export function injectTraceContext(headers: Record<string, string>): Record<string, string> {
  if (enabled) propagation.inject(context.active(), headers);
  return headers;
}

/**
 * Starts a span as a child of `parent` (the active context by default) and makes it the active one
 * for the rest of the current async chain: for frameworks whose hooks cannot wrap the handler in a
 * callback (Elysia's onRequest). End it with endSpan.
 */
export function startActiveSpan(
  name: string,
  options: { kind: SpanKind; attributes?: Attributes; parent?: Context },
): Span | undefined {
  if (!enabled || !manager) return undefined;
  const span = tracer().startSpan(name, options, options.parent ?? context.active());
  manager.attach(trace.setSpan(options.parent ?? context.active(), span));
  return span;
}

/**
 * Runs `work` in a new span, child of `parent` or of the active span. With `onlyInTrace`, no span is
 * made unless a recorded one is active already (a store call is worth a span inside a request or an
 * event, not in every idle poll of a background loop, nor in a trace the sampler left out).
 */
export async function withSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context; onlyInTrace?: boolean },
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!enabled) return work(undefined);
  const parent = options.parent ?? context.active();
  // Inside a trace that is recorded: a trace sampled out has every span of it dropped anyway.
  if (options.onlyInTrace && !trace.getSpan(parent)?.isRecording()) return work(undefined);
  const span = tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A span for something that already happened (Kysely reports a query with its duration after it
 * ran), as a child of the active span; none outside a trace.
 */
export function recordFinishedSpan(
  name: string,
  { durationMs, attributes, error }: { durationMs: number; attributes?: Attributes; error?: unknown },
): void {
  if (!enabled || !trace.getActiveSpan()?.isRecording()) return;
  const end = Date.now();
  const span = tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes, startTime: end - durationMs });
  if (error !== undefined) failSpan(span, error);
  span.end(end);
}

/** A span of work that arrived with a trace context and goes on carrying its own (see handoffSpan). */
export interface Handoff {
  /** The span's context, to run the work in (runInContext). */
  context: Context;
  /** The span's `traceparent`, for the next hop (a stream entry, a row that waits). */
  traceparent: string;
  end(error?: unknown): void;
}

/**
 * A span for work that carries a trace context from elsewhere (the relay publishing an event, a
 * consumer handling one, a delivery of a stored notification): a child of that context. Undefined
 * when tracing is off or the work carries no trace.
 */
export function handoffSpan(
  name: string,
  parentTraceparent: string | undefined | null,
  { kind, attributes }: { kind: SpanKind; attributes?: Attributes },
): Handoff | undefined {
  if (!enabled || !parentTraceparent) return undefined;
  const parent = contextFrom({ traceparent: parentTraceparent });
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  const spanContext = trace.setSpan(parent, span);
  return {
    context: spanContext,
    traceparent: traceparentOf(spanContext) ?? parentTraceparent,
    end(error?: unknown) {
      if (error !== undefined) failSpan(span, error);
      span.end();
    },
  };
}

/**
 * Runs `work` outside any trace. For background loops: a timer set while a request was being handled
 * carries that request's context, and so would every pass after it, each one's work showing up in
 * that old trace.
 */
export function runOutsideTrace<T>(work: () => T): T {
  return enabled ? context.with(ROOT_CONTEXT, work) : work();
}

/** Runs `work` with the context active (a handoff's), or as it is without one. */
export function runInContext<T>(active: Context | undefined, work: () => T): T {
  return active ? context.with(active, work) : work();
}

/** Whether the active span is one being recorded (inside a trace the sampler kept). */
export const inRecordedTrace = (): boolean => enabled && trace.getActiveSpan()?.isRecording() === true;

/** Marks a span failed with the error's message. */
export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/** Trace and span id of the active span, for log lines; undefined outside a trace. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  if (!enabled) return undefined;
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

export { type Context, type Span, SpanKind, SpanStatusCode };
