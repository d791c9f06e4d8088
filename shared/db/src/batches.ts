/**
 * A large delete in bounded statements: `deleteBatch(limit)` deletes at most `limit` rows and says
 * how many; it is called until it deletes fewer, or `maxBatches` times (the rest waits for the next
 * round). One statement over a table's whole backlog could outlast the statement timeout, be
 * cancelled every time, and leave the table to grow; it would also hold its locks that long.
 */
export async function deleteInBatches(
  deleteBatch: (limit: number) => Promise<number>,
  { batchSize = 5_000, maxBatches = 20 }: { batchSize?: number; maxBatches?: number } = {},
): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const deleted = await deleteBatch(batchSize);
    total += deleted;
    if (deleted < batchSize) break;
  }
  return total;
}
