/**
 * Sends calls in batches that form on their own: a call goes out at once while fewer than
 * `maxInFlight` batches are on the wire; otherwise it waits, and the calls that waited go out
 * together as soon as one returns. Idle, a call waits for nothing; busy, the batches grow with the
 * load, so their cost per call falls as it rises.
 *
 * With `gatherMs`, a call that finds none waiting holds the next batch open that long for company
 * (or until it is full): for callers that do not wait on the answer, batches grow even at a steady
 * rate well below what the service can take.
 */
export class BatchWhileBusy<Item, Result> {
  private waiting: Array<{
    item: Item;
    resolve: (result: Result) => void;
    reject: (error: unknown) => void;
  }> = [];
  private readonly inFlight = new Set<Promise<void>>();
  private gatherTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param send answers every item of a batch, in order, with its result or the error to reject it
   *   with; a rejection of `send` rejects every item of the batch.
   */
  constructor(
    private readonly send: (items: Item[]) => Promise<Array<Result | Error>>,
    private readonly options: { maxBatch: number; maxInFlight: number; gatherMs?: number },
  ) {}

  call(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      const { gatherMs = 0, maxBatch } = this.options;
      if (gatherMs === 0 || this.waiting.length >= maxBatch) this.sendWaiting();
      else this.gatherTimer ??= setTimeout(() => this.endGathering(), gatherMs);
    });
  }

  /** Sends what is waiting now, and resolves once every batch sent so far has been answered. */
  async drain(): Promise<void> {
    this.endGathering();
    while (this.inFlight.size > 0) {
      await Promise.allSettled(this.inFlight);
    }
  }

  private endGathering(): void {
    clearTimeout(this.gatherTimer);
    this.gatherTimer = undefined;
    this.sendWaiting();
  }

  private sendWaiting(): void {
    while (this.inFlight.size < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      const sent: Promise<void> = this.sendBatch(batch).finally(() => {
        this.inFlight.delete(sent);
        // Calls still gathering company go out when their time is up, not with this answer.
        if (!this.gatherTimer) this.sendWaiting();
      });
      this.inFlight.add(sent);
    }
  }

  private async sendBatch(batch: typeof this.waiting): Promise<void> {
    try {
      const results = await this.send(batch.map(({ item }) => item));
      if (results.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} was answered with ${results.length} results`);
      }
      batch.forEach(({ resolve, reject }, i) => {
        const result = results[i];
        if (result instanceof Error) reject(result);
        else resolve(result as Result);
      });
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }
}
