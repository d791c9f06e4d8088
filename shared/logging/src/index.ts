/**
 * The one root logger of a service: pino, JSON lines on stdout with `time`, `level`, `service`
 * and `msg`; per-request child loggers add `requestId`.
 *
 * Written from the main thread (pino.destination), not through a transport: transports run in
 * worker threads, which have been unreliable on Bun. Pretty output: pipe through pino-pretty.
 */
import pino from "pino";

export type Logger = pino.Logger;

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go; stdout unless a test wants them elsewhere. */
  destination?: pino.DestinationStream;
}

export function createLogger({ service, level = "info", destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service },
      messageKey: "msg",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Never log credentials, even when a whole request or config object is logged by mistake.
      redact: {
        paths: ["password", "*.password", "authorization", "*.authorization", "headers.authorization"],
        censor: "[redacted]",
      },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A child logger for one request, message or job. */
export function withRequestId(logger: Logger, requestId: string | undefined): Logger {
  return requestId ? logger.child({ requestId }) : logger;
}
