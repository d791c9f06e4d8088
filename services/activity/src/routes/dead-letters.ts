/**
 * The dead letters of every stream the platform's consumers read (ARCHITECTURE §5), for admins:
 * GET /admin/dead-letters?stream,limit,cursor lists what a stream's groups gave up on (oldest
 * first: the original entry's id, group, event type, last error, when); POST
 * /admin/dead-letters/replay {stream, ids?} puts entries back on their stream with their event id
 * (groups that had processed one skip it; the group that failed it tries again), all of the
 * stream's when `ids` is absent. Here because the activity service reads every stream. A stream is
 * named by what it carries (`orders`, `inventory`, `payments`), not by its key, which a deployment
 * may prefix: the API and its document stay the same everywhere.
 */
import { assertAdmin, requireAuth, type TokenVerifier } from "@platform/auth";
import { isDependencyFailure, validationFailed } from "@platform/errors";
import { listDeadLetters, replayDeadLetter } from "@platform/events";
import { decodeCursor, encodeCursor, PageOf, PageQuery, problems, requestContext } from "@platform/http";
import type { Logger } from "@platform/logging";
import { Elysia, t } from "elysia";
import type { Redis } from "ioredis";

/** A whole stream's dead letters are read this many at a time. */
const READ_BATCH = 500;
/** Dead letters replayed together (their scripts sent without waiting for each answer). */
const REPLAY_CHUNK = 200;

/** What a stream carries, as the API names it. */
const STREAM_KINDS = ["orders", "inventory", "payments"] as const;
type StreamKind = (typeof STREAM_KINDS)[number];
const StreamName = t.Union(STREAM_KINDS.map((kind) => t.Literal(kind)));

const DeadLetterSchema = t.Object({
  id: t.String({ description: "The entry's id in the dead-letter stream (what replay takes)" }),
  originalId: t.String(),
  stream: StreamName,
  group: t.String(),
  eventType: t.Nullable(t.String()),
  eventId: t.Nullable(t.String()),
  error: t.String(),
  deliveries: t.Integer(),
  deadLetteredAt: t.String(),
});

const ENTRY_ID = /^(\d{1,20})-(\d{1,20})$/;
const MAX_ID_PART = 2n ** 64n - 1n;

/** A stream entry id, two unsigned 64-bit numbers: Redis refuses a larger one with an error of its own (a 500). */
const isEntryId = (value: unknown): value is string => {
  const parts = typeof value === "string" ? ENTRY_ID.exec(value) : null;
  return parts?.slice(1).every((part) => BigInt(part) <= MAX_ID_PART) ?? false;
};

export function deadLetterRoutes({
  redis,
  streams,
  verifier,
  logger,
}: {
  redis: Redis;
  /** Each kind's stream key in this deployment. */
  streams: Record<StreamKind, string>;
  verifier: TokenVerifier;
  logger: Logger;
}) {
  /** Every dead letter of the stream now, oldest first. */
  async function deadLetterIds(stream: string): Promise<string[]> {
    const ids: string[] = [];
    for (;;) {
      const batch = await listDeadLetters(redis, stream, READ_BATCH, ids.at(-1));
      ids.push(...batch.map((letter) => letter.id));
      if (batch.length < READ_BATCH) return ids;
    }
  }
  return new Elysia({ tags: ["dead letters"] })
    .use(requestContext(logger))
    .use(requireAuth(verifier))
    .get(
      "/admin/dead-letters",
      async ({ query, principal }) => {
        assertAdmin(principal);
        const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isEntryId);
        const stream = streams[query.stream];
        const letters = await listDeadLetters(redis, stream, query.limit + 1, after);
        const page = letters.slice(0, query.limit);
        const last = page.at(-1);
        return {
          items: page.map((letter) => ({
            id: letter.id,
            originalId: letter.originalId,
            stream: query.stream,
            group: letter.group,
            eventType: letter.fields.type ?? null,
            eventId: letter.fields.id ?? null,
            error: letter.error,
            deliveries: letter.deliveries,
            deadLetteredAt: letter.deadLetteredAt,
          })),
          nextCursor: letters.length > query.limit && last ? encodeCursor(last.id) : null,
        };
      },
      {
        query: t.Object({ stream: StreamName, ...PageQuery }),
        response: { 200: PageOf(DeadLetterSchema) },
        detail: { summary: "Dead-lettered entries of a stream, oldest first (admin)" },
      },
    )
    .post(
      "/admin/dead-letters/replay",
      async ({ body, principal, requestId, set }) => {
        assertAdmin(principal);
        const unknown = (body.ids ?? []).filter((id) => !isEntryId(id));
        if (unknown.length > 0) {
          throw validationFailed("Dead-letter ids look like 1700000000000-0.", [
            { field: "ids", message: unknown.join(", ") },
          ]);
        }
        // Without ids: the stream's dead letters as they are now (not those a replay leads to).
        const stream = streams[body.stream];
        const ids = body.ids ?? (await deadLetterIds(stream));
        // A few hundred at a time, sent together (one write to Redis for many replays): "all" of a
        // stream a bad deploy filled (100 000 letters) is done in seconds, within the edge's timeout.
        let replayed = 0;
        for (let i = 0; i < ids.length; i += REPLAY_CHUNK) {
          const done = await Promise.all(ids.slice(i, i + REPLAY_CHUNK).map(replayOne));
          replayed += done.filter(Boolean).length;
        }
        logger.info({ requestId, stream, replayed }, "dead letters replayed");
        set.status = 202;
        return { replayed };

        /** One dead letter back on its stream; false when it is gone or holds nothing to replay. */
        async function replayOne(id: string): Promise<boolean> {
          try {
            return (await replayDeadLetter(redis, stream, id)) !== undefined;
          } catch (err) {
            if (isDependencyFailure(err)) throw err; // Redis away: a 503, and nothing was lost
            logger.warn({ err, requestId, id }, "a dead letter was not replayed");
            return false;
          }
        }
      },
      {
        body: t.Object({
          stream: StreamName,
          ids: t.Optional(t.Array(t.String({ maxLength: 40 }), { minItems: 1, maxItems: 1000 })),
        }),
        response: { 202: t.Object({ replayed: t.Integer() }) },
        detail: {
          summary: "Put dead-lettered entries back on their stream (admin; all of it without ids)",
          ...problems("VALIDATION_FAILED"),
        },
      },
    );
}
