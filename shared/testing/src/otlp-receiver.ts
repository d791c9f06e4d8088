/**
 * A real OTLP/HTTP receiver for the tracing tests: takes `POST /v1/traces` in OTLP's JSON encoding
 * (OTEL_EXPORTER_OTLP_PROTOCOL=http/json), as a collector or Jaeger would, and keeps every span with
 * the service that sent it.
 */

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}

interface OtlpJson {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans?: Array<{ spans?: Array<Omit<ReceivedSpan, "service">> }>;
  }>;
}

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private server: ReturnType<typeof Bun.serve> | undefined;

  /** The base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.server?.port}`;
  }

  start(): void {
    this.server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (request) => {
        if (request.method !== "POST" || new URL(request.url).pathname !== "/v1/traces")
          return new Response(null, { status: 404 });
        const body = (await request.json()) as OtlpJson;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service =
            resourceSpans.resource?.attributes?.find((a) => a.key === "service.name")?.value.stringValue ??
            "";
          for (const scope of resourceSpans.scopeSpans ?? [])
            for (const span of scope.spans ?? []) {
              const { traceId, spanId, parentSpanId, name, kind } = span;
              this.spans.push({
                service,
                traceId,
                spanId,
                ...(parentSpanId ? { parentSpanId } : {}),
                name,
                kind,
              });
            }
        }
        return Response.json({});
      },
    });
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  stop(): void {
    this.server?.stop(true);
  }
}
