/**
 * nice-grpc middlewares that carry a trace across a gRPC call: the client's span goes out in the
 * call's `traceparent` metadata, and the server's span continues it (ARCHITECTURE §10). Unary calls
 * only (every InventoryService method is one); a streaming call passes through untraced. With
 * tracing off, both pass every call straight through.
 */
import { contextFrom, injectTraceContext, SpanKind, tracingEnabled, withSpan } from "@platform/telemetry";
import {
  type CallContext,
  type CallOptions,
  type ClientMiddlewareCall,
  Metadata,
  type ServerMiddlewareCall,
} from "nice-grpc";

/** Runs a unary call's inner generator to its end: a unary call yields nothing and returns its answer. */
async function answerOf<Response>(inner: AsyncGenerator<Response, unknown>) {
  let step = await inner.next();
  while (!step.done) step = await inner.next();
  return step.value as Response;
}

const rpcAttributes = (path: string) => ({ "rpc.system": "grpc", "rpc.method": path });

export async function* grpcClientTracing<Request, Response>(
  call: ClientMiddlewareCall<Request, Response>,
  options: CallOptions,
) {
  if (!tracingEnabled() || call.requestStream || call.responseStream) {
    return yield* call.next(call.request, options);
  }
  return await withSpan(
    `grpc ${call.method.path}`,
    { kind: SpanKind.CLIENT, attributes: rpcAttributes(call.method.path) },
    async () => {
      const metadata = Metadata(options.metadata);
      for (const [name, value] of Object.entries(injectTraceContext({}))) metadata.set(name, value);
      return answerOf(call.next(call.request, { ...options, metadata }));
    },
  );
}

export async function* grpcServerTracing<Request, Response>(
  call: ServerMiddlewareCall<Request, Response>,
  context: CallContext,
) {
  if (!tracingEnabled() || call.requestStream || call.responseStream) {
    return yield* call.next(call.request, context);
  }
  return await withSpan(
    `grpc ${call.method.path}`,
    {
      kind: SpanKind.SERVER,
      attributes: rpcAttributes(call.method.path),
      parent: contextFrom({
        traceparent: context.metadata.get("traceparent"),
        tracestate: context.metadata.get("tracestate"),
      }),
    },
    () => answerOf(call.next(call.request, context)),
  );
}
