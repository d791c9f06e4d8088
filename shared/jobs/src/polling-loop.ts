/**
 * A background job that runs in passes: every `intervalMs`, at once when nudged (after a write
 * that gave it work), again straight away while a pass finds work, and with exponential backoff
 * (capped) while passes fail. stop() waits for the pass in hand. Outbox relays, the delivery
 * worker, the reservation sweeper and the task worker are all this loop around a `run` function.
 */
import type { Logger } from "@platform/logging";

export interface PollingLoopOptions {
  /** For the logs. */
  name: string;
  /** One pass; resolves to how much work it did (0: nothing left for now). */
  run: () => Promise<number>;
  intervalMs: number;
  logger: Logger;
  /** Longest wait between failing passes. */
  maxBackoffMs?: number;
}

export class PollingLoop {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private failures = 0;

  constructor(private readonly options: PollingLoopOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Run soon; ignored while failing, so a backoff is not cut short. */
  nudge(): void {
    if (!this.stopped && this.failures === 0) this.schedule(0);
  }

  /** Stops scheduling and waits for the pass in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.running) return this.schedule(10);
      this.running = this.pass().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule(this.nextDelay());
      });
    }, delayMs);
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
