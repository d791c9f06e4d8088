/** startTracing against a real HTTP receiver: what goes out, where, in which encoding. */
import { afterEach, describe, expect, test } from "bun:test";
import {
  activeTraceIds,
  contextFrom,
  startTracing,
  type Tracing,
  tracedFetch,
  traceparentOf,
  tracingEnabled,
  withSpan,
} from "../src/index.js";

let tracing: Tracing | undefined;
afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
});

/** A receiver that keeps each request's path, content type, size and text. */
function receiver() {
  const received: Array<{ path: string; contentType: string | null; bytes: number; text: string }> = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const body = await request.arrayBuffer();
      received.push({
        path: new URL(request.url).pathname,
        contentType: request.headers.get("content-type"),
        bytes: body.byteLength,
        text: new TextDecoder().decode(body),
      });
      return new Response(null, { status: 200 });
    },
  });
  return { received, endpoint: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

describe("startTracing", () => {
  test("without an endpoint it is off: no ids, no traceparent, work runs as it is", async () => {
    tracing = await startTracing({ service: "test" });
    expect(tracing.enabled).toBe(false);
    expect(tracingEnabled()).toBe(false);
    expect(await withSpan("nothing", {}, async (span) => span)).toBeUndefined();
    expect(traceparentOf()).toBeUndefined();
    expect(activeTraceIds()).toBeUndefined();
  });

  for (const [protocol, contentType] of [
    ["http/protobuf", "application/x-protobuf"],
    ["http/json", "application/json"],
  ] as const) {
    test(`${protocol}: spans go to <endpoint>/v1/traces as ${contentType}, continuing a traceparent`, async () => {
      const sink = receiver();
      tracing = await startTracing({
        service: "test",
        OTEL_EXPORTER_OTLP_ENDPOINT: `${sink.endpoint}/`,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_BSP_SCHEDULE_DELAY: 50,
      });
      const traceId = "0af7651916cd43dd8448eb211c80319c";
      const parent = contextFrom({ traceparent: `00-${traceId}-b7ad6b7169203331-01` });
      const inside = await withSpan("work", { parent }, async () => ({
        ids: activeTraceIds(),
        traceparent: traceparentOf(),
      }));
      expect(inside.ids?.traceId).toBe(traceId);
      expect(inside.traceparent).toStartWith(`00-${traceId}-${inside.ids?.spanId}-`);
      await tracing.shutdown();
      tracing = undefined;
      sink.stop();
      expect(sink.received).toHaveLength(1);
      expect(sink.received[0]).toMatchObject({ path: "/v1/traces", contentType });
      expect(sink.received[0]?.bytes).toBeGreaterThan(0);
    });
  }

  test("a traced call's span records its address without the query: a query may carry a secret", async () => {
    const sink = receiver();
    const target = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("ok") });
    tracing = await startTracing({
      service: "test",
      OTEL_EXPORTER_OTLP_ENDPOINT: `${sink.endpoint}/`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: 50,
    });
    const url = `http://127.0.0.1:${target.port}/payments/p-1/checkout?client_secret=pi_secret_s3cr3t`;
    expect(await (await tracedFetch("forward to payment", url)).text()).toBe("ok");
    await tracing.shutdown();
    tracing = undefined;
    sink.stop();
    target.stop(true);
    const exported = sink.received.map((request) => request.text).join("");
    expect(exported).toContain("/payments/p-1/checkout");
    expect(exported).not.toContain("s3cr3t");
  });
});
