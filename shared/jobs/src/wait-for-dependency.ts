/**
 * Start-up against a dependency that may not be there yet (Postgres restarting, Redis not up, a
 * compose stack starting in any order): tries `attempt` until it succeeds, backing off and logging
 * each failure, and gives up after `timeoutMs` by throwing the last error. A process that gives up
 * exits, and its supervisor (compose, Kubernetes, `bun run start`) starts it again. Only failures
 * to reach the dependency are waited out: any other error (a bad migration, say) is thrown at once.
 */
import { isDependencyFailure } from "@platform/errors";
import type { Logger } from "@platform/logging";
import { backoffDelay } from "./polling-loop.js";

export interface WaitOptions {
  logger: Logger;
  /** Longest total wait before giving up. */
  timeoutMs: number;
  /** First pause between attempts; doubles up to maxDelayMs. */
  intervalMs?: number;
  maxDelayMs?: number;
}

export async function waitForDependency<T>(
  name: string,
  attempt: () => Promise<T>,
  { logger, timeoutMs, intervalMs = 250, maxDelayMs = 5_000 }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let failures = 0; ; failures++) {
    try {
      const result = await attempt();
      if (failures > 0) logger.info({ dependency: name, attempts: failures + 1 }, "dependency is up");
      return result;
    } catch (err) {
      if (!isDependencyFailure(err)) throw err;
      const delay = backoffDelay(intervalMs, failures, maxDelayMs);
      if (Date.now() + delay > deadline) {
        logger.error({ err, dependency: name, timeoutMs }, "dependency did not come up in time; giving up");
        throw err;
      }
      logger.warn({ err: errorText(err), dependency: name, retryInMs: delay }, "waiting for a dependency");
      await Bun.sleep(delay);
    }
  }
}

const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
