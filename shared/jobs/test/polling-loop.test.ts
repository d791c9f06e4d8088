import { describe, expect, test } from "bun:test";
import { createLogger } from "@platform/logging";
import { activeTraceIds, startTracing, withSpan } from "@platform/telemetry";
import { backoffDelay, PollingLoop, retentionJob } from "../src/index.js";

const logger = createLogger({ service: "jobs-test", level: "silent" });

describe("PollingLoop", () => {
  test("runs a pass at start, repeats while there is work, and waits for the interval otherwise", async () => {
    let work = 3;
    let passes = 0;
    const loop = new PollingLoop({
      name: "t",
      intervalMs: 10_000,
      logger,
      run: async () => {
        passes++;
        return work > 0 ? work-- : 0;
      },
    });
    loop.start();
    await Bun.sleep(50);
    await loop.stop();
    expect(work).toBe(0);
    expect(passes).toBe(4);
  });

  test("a pass nudged from inside a trace runs outside it (so does every pass after it)", async () => {
    // Tracing on, towards a receiver that takes anything: what is exported does not matter here.
    const receiver = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(null) });
    const tracing = await startTracing({
      service: "jobs-test",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}`,
    });
    const seen: Array<string | undefined> = [];
    const loop = new PollingLoop({
      name: "t",
      intervalMs: 20,
      logger,
      run: async () => {
        seen.push(activeTraceIds()?.traceId);
        return 0;
      },
    });
    try {
      loop.start();
      await Bun.sleep(30);
      const traceId = await withSpan("a request", {}, async () => {
        loop.nudge();
        return activeTraceIds()?.traceId;
      });
      expect(traceId).toBeDefined();
      await Bun.sleep(100);
    } finally {
      await loop.stop();
      await tracing.shutdown();
      receiver.stop(true);
    }
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.filter((id) => id !== undefined)).toEqual([]);
  });

  test("a nudge runs a pass before the interval", async () => {
    let passes = 0;
    const loop = new PollingLoop({
      name: "t",
      intervalMs: 10_000,
      logger,
      run: async () => {
        passes++;
        return 0;
      },
    });
    loop.start();
    await Bun.sleep(20);
    loop.nudge();
    await Bun.sleep(20);
    await loop.stop();
    expect(passes).toBe(2);
  });

  test("a nudge during a pass runs another pass right after it, not after the interval", async () => {
    let passes = 0;
    const loop = new PollingLoop({
      name: "t",
      intervalMs: 10_000,
      logger,
      run: async () => {
        passes++;
        await Bun.sleep(30);
        return 0;
      },
    });
    loop.start();
    await Bun.sleep(10); // the first pass is running
    loop.nudge();
    await Bun.sleep(80);
    await loop.stop();
    expect(passes).toBe(2);
  });

  test("nudges within the nudge delay share one pass", async () => {
    let passes = 0;
    const loop = new PollingLoop({
      name: "t",
      intervalMs: 10_000,
      nudgeDelayMs: 20,
      logger,
      run: async () => {
        passes++;
        return 0;
      },
    });
    loop.start();
    await Bun.sleep(10);
    for (let i = 0; i < 5; i++) loop.nudge();
    await Bun.sleep(50);
    await loop.stop();
    expect(passes).toBe(2);
  });

  test("the wait doubles with each failure in a row, up to the cap", () => {
    expect([0, 1, 2, 3, 10].map((failures) => backoffDelay(100, failures, 1_000))).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
  });

  test("failing passes are retried, and the loop carries on once they succeed", async () => {
    let failing = true;
    let failed = 0;
    let succeeded = 0;
    const loop = new PollingLoop({
      name: "t",
      intervalMs: 5,
      logger,
      run: async () => {
        if (failing) {
          failed++;
          throw new Error("down");
        }
        succeeded++;
        return 0;
      },
    });
    loop.start();
    await Bun.sleep(100);
    failing = false;
    await Bun.sleep(400);
    await loop.stop();
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(succeeded).toBeGreaterThanOrEqual(1);
  });

  test("stop waits for the pass in hand", async () => {
    let finished = false;
    const loop = new PollingLoop({
      name: "t",
      intervalMs: 10_000,
      logger,
      run: async () => {
        await Bun.sleep(100);
        finished = true;
        return 0;
      },
    });
    loop.start();
    await Bun.sleep(20);
    await loop.stop();
    expect(finished).toBe(true);
  });
});

describe("retentionJob", () => {
  test("prunes what is older than its days, batch after batch, and does nothing with 0 days", async () => {
    const cutoffs: Date[] = [];
    let batches = 3;
    const job = retentionJob({
      name: "t",
      days: 30,
      logger,
      prune: async (before) => {
        cutoffs.push(before);
        return batches-- > 0 ? 1000 : 0;
      },
    });
    job.start();
    await Bun.sleep(50);
    await job.stop();
    expect(cutoffs).toHaveLength(4);
    const ageDays = (Date.now() - (cutoffs[0] as Date).getTime()) / 86_400_000;
    expect(ageDays).toBeGreaterThan(29.99);
    expect(ageDays).toBeLessThan(30.01);

    let called = false;
    const keep = retentionJob({
      name: "t",
      days: 0,
      logger,
      prune: async () => {
        called = true;
        return 0;
      },
    });
    keep.start();
    await Bun.sleep(20);
    await keep.stop();
    expect(called).toBe(false);
  });
});
