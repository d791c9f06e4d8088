/**
 * Runs an app built with httpKernel and shuts it down gracefully on SIGTERM/SIGINT:
 * /ready turns 503, the listener stops accepting, in-flight requests finish (for up to
 * `drainTimeoutMs`; then what is still open is closed: a WebSocket stays open until its client
 * leaves, and its client reconnects to another replica), then the closers run (consumers first,
 * pools last: the order they are given) and the process exits.
 */
import type { Logger } from "@platform/logging";
import type { AnyElysia } from "elysia";
import type { ServiceState } from "./plugins/ops-routes.js";

export interface ServeOptions {
  port: number;
  hostname?: string;
  logger: Logger;
  /** Run in order after the listener has stopped: stop consumers, then close pools. */
  closers?: Array<{ name: string; close: () => Promise<unknown> | unknown }>;
  /** The longest the whole shutdown may take before the process exits anyway. */
  shutdownTimeoutMs?: number;
  /** How long open connections may take to finish before they are closed (5 s unless set). */
  drainTimeoutMs?: number;
  /**
   * Largest request body (bytes), 1 MiB unless set: the kernel answers a larger declared body with a
   * 413 problem before reading it; the server itself cuts off an undeclared (chunked) body at 8×.
   */
  maxRequestBodySize?: number;
}

export interface RunningService {
  port: number;
  url: string;
  /** Stops the service as a signal would, without exiting the process (tests use this). */
  shutdown: (reason?: string) => Promise<void>;
}

/** The largest message a WebSocket client may send a service. */
const MAX_WEBSOCKET_MESSAGE_BYTES = 64 * 1024;

export function serve(app: AnyElysia, options: ServeOptions): RunningService {
  const {
    logger,
    closers = [],
    shutdownTimeoutMs = 15_000,
    drainTimeoutMs = 5_000,
    hostname = "127.0.0.1",
  } = options;
  app.listen({
    port: options.port,
    hostname,
    // Headroom above the limit, so the kernel (not Bun's bare, empty 413) answers declared sizes.
    maxRequestBodySize: (options.maxRequestBodySize ?? 1024 * 1024) * 8,
    // WebSocket clients send only pings: a larger message closes the socket (1009), not 16 MB (Bun's default).
    websocket: { maxPayloadLength: MAX_WEBSOCKET_MESSAGE_BYTES },
  });
  const server = app.server;
  if (!server) throw new Error("the server did not start");
  const port = server.port ?? options.port;
  logger.info({ host: hostname, port }, "listening");

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = "shutdown") => {
    stopping ??= (async () => {
      logger.info({ reason }, "shutting down");
      const state = (app.decorator as { serviceState?: ServiceState }).serviceState;
      if (state) state.draining = true;
      // stop(false) resolves once every connection has ended, and an open WebSocket never does by
      // itself: without a bound the closers would never run.
      const drained = await Promise.race([
        app.stop(false).then(() => true),
        Bun.sleep(drainTimeoutMs).then(() => false),
      ]);
      if (!drained) {
        logger.info({ drainTimeoutMs }, "closing the connections still open");
        await app.stop(true);
      }
      for (const closer of closers) {
        try {
          await closer.close();
        } catch (err) {
          logger.error({ err, closer: closer.name }, "error while closing");
        }
      }
      logger.info("stopped");
    })();
    return stopping;
  };

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      const timer = setTimeout(() => {
        logger.error({ shutdownTimeoutMs }, "shutdown took too long; exiting");
        process.exit(1);
      }, shutdownTimeoutMs);
      timer.unref();
      void shutdown(signal).then(() => process.exit(0));
    });
  }

  return { port, url: `http://127.0.0.1:${port}`, shutdown };
}
