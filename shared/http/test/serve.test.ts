/** serve(): a shutdown ends, closers included, even while a WebSocket client stays connected. */
import { expect, test } from "bun:test";
import { createLogger } from "@platform/logging";
import { Elysia } from "elysia";
import { serve } from "../src/index.js";

test("a shutdown with a WebSocket open closes it after the drain time, then runs the closers", async () => {
  const closed: string[] = [];
  const app = new Elysia().ws("/ws", { message: (ws, message) => ws.send(message) });
  const running = serve(app, {
    port: 0,
    logger: createLogger({ service: "serve-test", level: "silent" }),
    drainTimeoutMs: 200,
    closers: [{ name: "pool", close: () => closed.push("pool") }],
  });
  const socket = new WebSocket(`ws://127.0.0.1:${running.port}/ws`);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  const socketClosed = new Promise<number>((resolve) => {
    socket.onclose = (event) => resolve(event.code);
  });

  await running.shutdown("test"); // without the drain bound this never resolved
  expect(closed).toEqual(["pool"]);
  expect(await socketClosed).toBeGreaterThan(0);
});
