/**
 * A background job that runs in passes: every `intervalMs`, at once when nudged (after a write
 * that gave it work), again straight away while a pass finds work, and with exponential backoff
 * (capped) while passes fail. stop() waits for the pass in hand. Outbox relays, the delivery
 * worker, the reservation sweeper and the task worker are all this loop around a `run` function.
 */
import type { Logger } from "@platform/logging";
import { runOutsideTrace } from "@platform/telemetry";

export interface PollingLoopOptions {
  /** For the logs. */
  name: string;
  /** One pass; resolves to how much work it did (0: nothing left for now). */
  run: () => Promise<number>;
  intervalMs: number;
  logger: Logger;
  /** Longest wait between failing passes. */
  maxBackoffMs?: number;
  /**
   * How long a nudge waits before the pass starts (0: at once). A few milliseconds let the work of
   * many nudges (one per committed order, say) be done by one pass.
   */
  nudgeDelayMs?: number;
}

export class PollingLoop {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private failures = 0;
  private nudgedWhileRunning = false;
  /** When the scheduled pass starts (ms since the epoch). */
  private dueAt = Number.POSITIVE_INFINITY;

  constructor(private readonly options: PollingLoopOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Run soon; ignored while failing, so a backoff is not cut short. */
  nudge(): void {
    if (this.stopped || this.failures > 0) return;
    // The pass in hand may have read its work already: another follows it at once.
    if (this.running) {
      this.nudgedWhileRunning = true;
      return;
    }
    const delay = this.options.nudgeDelayMs ?? 0;
    if (this.dueAt > Date.now() + delay) this.schedule(delay);
  }

  /** Stops scheduling and waits for the pass in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.dueAt = Date.now() + delayMs;
    // A nudge comes from inside a request: its pass (and every one after) is not part of that trace.
    this.timer = setTimeout(
      () =>
        runOutsideTrace(() => {
          this.dueAt = Number.POSITIVE_INFINITY;
          if (this.running) return this.schedule(10);
          this.running = this.pass().finally(() => {
            this.running = undefined;
            const nudged = this.nudgedWhileRunning && this.failures === 0;
            this.nudgedWhileRunning = false;
            if (!this.stopped) this.schedule(nudged ? (this.options.nudgeDelayMs ?? 0) : this.nextDelay());
          });
        }),
      delayMs,
    );
  }

  private async pass(): Promise<void> {
    const { run, logger, name } = this.options;
    try {
      while ((await run()) > 0 && !this.stopped);
      if (this.failures > 0) logger.info({ job: name, failures: this.failures }, "job recovered");
      this.failures = 0;
    } catch (err) {
      this.failures++;
      logger.warn({ err, job: name, failures: this.failures }, "job pass failed; backing off");
    }
  }

  private nextDelay(): number {
    return backoffDelay(this.options.intervalMs, this.failures, this.options.maxBackoffMs);
  }
}

/** The wait before the next pass: the interval, doubled for each failure in a row, capped. */
export function backoffDelay(intervalMs: number, failures: number, maxBackoffMs = 30_000): number {
  return failures === 0 ? intervalMs : Math.min(maxBackoffMs, intervalMs * 2 ** failures);
}
