/** Unique names so that tests can run side by side on shared servers: schemas, streams, key prefixes. */
export function uniqueName(prefix: string): string {
  const suffix = Bun.randomUUIDv7().replaceAll("-", "").slice(-12);
  return `${prefix}_${suffix}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}

/** Polls until the check returns a truthy value or the time is up (then throws, naming what it waited for). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 10_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await Bun.sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}
