/**
 * Sends calls in batches that form on their own: a call goes out at once while fewer than
 * `maxInFlight` batches are on the wire; otherwise it waits, and the calls that waited go out
 * together as soon as one returns. Idle, a call waits for nothing; busy, the batches grow with the
 * load, so their cost per call falls as it rises.
 */
export class BatchWhileBusy<Item, Result> {
  private waiting: Array<{
    item: Item;
    resolve: (result: Result) => void;
    reject: (error: unknown) => void;
  }> = [];
  private inFlight = 0;

  /**
   * @param send answers every item of a batch, in order, with its result or the error to reject it
   *   with; a rejection of `send` rejects every item of the batch.
   */
  constructor(
    private readonly send: (items: Item[]) => Promise<Array<Result | Error>>,
    private readonly options: { maxBatch: number; maxInFlight: number },
  ) {}

  call(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.sendWaiting();
    });
  }

  private sendWaiting(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.sendBatch(batch).finally(() => {
        this.inFlight--;
        this.sendWaiting();
      });
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
