/**
 * `work`'s outcome, or a rejection with `late()` once `ms` passed without one. The work itself goes
 * on (a promise cannot be stopped): this only stops waiting for it.
 */
export function within<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
