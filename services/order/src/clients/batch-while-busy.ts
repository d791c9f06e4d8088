/**
 * Sends calls in batches that form on their own: a call made while no batch is on the wire goes
 * out at once (in the same turn of the event loop as any made alongside it); calls made while one
 * is on the wire wait and go out together when it returns. Idle, a call waits for nothing; busy, the
 * batches grow with the load, so their cost per call falls as it rises.
 */
export class BatchWhileBusy<Item, Result> {
  private waiting: Array<{
    item: Item;
    resolve: (result: Result) => void;
    reject: (error: unknown) => void;
  }> = [];
  private busy = false;
  private scheduled = false;

  /**
   * @param send answers every item of a batch, in order, with its result or the error to reject it
   *   with; a rejection of `send` rejects every item of the batch.
   */
  constructor(
    private readonly send: (items: Item[]) => Promise<Array<Result | Error>>,
    private readonly maxBatch: number,
  ) {}

  call(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.busy && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.next();
        });
      }
    });
  }

  private async next(): Promise<void> {
    if (this.busy || this.waiting.length === 0) return;
    this.busy = true;
    const batch = this.waiting.splice(0, this.maxBatch);
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
    } finally {
      this.busy = false;
      void this.next();
    }
  }
}
