/** A value read on demand (a metric counted at scrape time), shared while fresh and never waited on for long. */
import { within } from "./within.js";

/**
 * `fn`'s answer, reused for `reuseMs` (scrapes meanwhile share it, so they never pile up reads);
 * undefined if it fails or takes longer than `waitMs`, so a scrape never hangs on a dependency.
 */
export function reusedFor<T>(
  reuseMs: number,
  waitMs: number,
  fn: () => Promise<T>,
): () => Promise<T | undefined> {
  let last: { at: number; value: Promise<T> } | undefined;
  return async () => {
    const now = performance.now();
    if (!last || now - last.at >= reuseMs) {
      const entry = { at: now, value: fn() };
      last = entry;
      entry.value.catch(() => {
        if (last === entry) last = undefined; // a failure is not reused
      });
    }
    return within(last.value, waitMs, () => new Error(`no answer within ${waitMs} ms`)).catch(
      () => undefined,
    );
  };
}
