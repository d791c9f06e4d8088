/** Every Redis key the events package touches besides the stream itself, named in one place. */
export const streamKeys = (stream: string, group: string) => ({
  /** Entries that failed too often, for every group of the stream (each entry names its group). */
  deadLetters: deadLetterStream(stream),
  /** entry id -> last error message, for entries of this group that are pending after a failure. */
  lastErrors: `${stream}:errors:${group}`,
});

export const deadLetterStream = (stream: string) => `${stream}:dlq`;

/** The fields a dead-lettered entry carries besides the original entry's own. */
export const DEAD_LETTER_FIELDS = [
  "originalId",
  "originalStream",
  "group",
  "error",
  "deliveries",
  "deadLetteredAt",
];
