/**
 * The one root logger of a service: pino, JSON lines on stdout with `time`, `level`, `service`
 * and `msg`; per-request child loggers add `requestId`, and with tracing on a line written inside a
 * trace carries its `traceId` and `spanId`.
 *
 * Written from the main thread (pino.destination), not through a transport: transports run in
 * worker threads, which have been unreliable on Bun. Lines are buffered (up to 4 KiB, flushed every
 * 250 ms, on shutdown and on exit) rather than written one syscall each: under load a service logs
 * hundreds of lines a second. A crash can lose the last quarter second of lines. Pretty output:
 * pipe through pino-pretty.
 */
import { activeTraceIds, tracingEnabled } from "@platform/telemetry";
import pino from "pino";

export type Logger = pino.Logger;

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go; stdout unless a test wants them elsewhere. */
  destination?: pino.DestinationStream;
}

const FLUSH_EVERY_MS = 250;

export function createLogger({ service, level = "info", destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service },
      messageKey: "msg",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // With tracing on (started before the logger is made), a line written inside a trace names it
      // beside the request id; with it off, no hook on every line.
      ...(tracingEnabled() ? { mixin: () => activeTraceIds() ?? {} } : {}),
      // Never log credentials, even when a whole request or config object is logged by mistake.
      redact: {
        paths: ["password", "*.password", "authorization", "*.authorization", "headers.authorization"],
        censor: "[redacted]",
      },
    },
    destination ?? bufferedStdout(),
  );
}

/** Writes what is buffered now (before a process exits on purpose). */
export function flushLogs(logger: Logger): void {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
    | { flushSync?: () => void }
    | undefined;
  try {
    stream?.flushSync?.();
  } catch {
    // nothing buffered, or stdout closed
  }
}

let stdout: ReturnType<typeof pino.destination> | undefined;

/** One buffered stdout per process, shared by its loggers. */
function bufferedStdout() {
  if (stdout) return stdout;
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => stream.flush(), FLUSH_EVERY_MS).unref();
  process.once("exit", () => {
    try {
      stream.flushSync();
    } catch {
      // stdout closed
    }
  });
  stdout = stream;
  return stream;
}
