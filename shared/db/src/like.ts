/** Text a user typed, for `ILIKE '%…%'`: its `%`, `_` and `\` stand for themselves, not patterns. */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `%text%` for a "contains" search with ILIKE. */
export const containsPattern = (text: string): string => `%${escapeLike(text)}%`;
