/**
 * GET /activity (through the gateway): newest first; a user sees the entries about themselves, an
 * admin sees all. POST /internal/activity: an event over REST (the platform's first phase), with
 * the same once-only storage as the consumer; never exposed by the gateway.
 */
import { requireAuth, type TokenVerifier } from "@platform/auth";
import { AppError } from "@platform/errors";
import { type DomainEvent, MalformedEventError } from "@platform/events";
import { keysetPage, PageOf, PageQuery, requestContext } from "@platform/http";
import type { Logger } from "@platform/logging";
import { Elysia, t } from "elysia";
import { toActivityEntry, toActivityView } from "../domain/activity.js";
import { type ActivityCollection, listEntries, recordEntry } from "../store/activity.store.js";

export interface ActivityRouteDeps {
  entries: ActivityCollection;
  verifier: TokenVerifier;
  logger: Logger;
}

const ActivityQuery = t.Object({
  orderId: t.Optional(t.String({ maxLength: 64 })),
  userId: t.Optional(t.String({ maxLength: 64 })),
  type: t.Optional(t.String({ maxLength: 64 })),
  ...PageQuery,
});

const EventBody = t.Object({
  id: t.String({ minLength: 1, maxLength: 64 }),
  type: t.String({ minLength: 1, maxLength: 64 }),
  version: t.Integer({ minimum: 1 }),
  occurredAt: t.String({ format: "date-time" }),
  requestId: t.String({ maxLength: 128, default: "" }),
  payload: t.Unknown(),
});

/** An entry of the log, as the API shows it. */
const ActivityViewSchema = t.Object({
  id: t.String(),
  type: t.String(),
  version: t.Integer(),
  occurredAt: t.String({ format: "date-time" }),
  requestId: t.String(),
  orderId: t.Nullable(t.String()),
  userId: t.Nullable(t.String()),
  sku: t.Nullable(t.String()),
  payload: t.Unknown(),
});

const RecordedSchema = t.Object({
  id: t.String(),
  outcome: t.Union([t.Literal("stored"), t.Literal("duplicate")]),
});

export function activityRoutes({ entries, verifier, logger }: ActivityRouteDeps) {
  const internal = new Elysia({ tags: ["internal"] }).use(requestContext(logger)).post(
    "/internal/activity",
    async ({ body, set, log }) => {
      let outcome: "stored" | "duplicate";
      try {
        outcome = await recordEntry(entries, toActivityEntry(body as DomainEvent, "rest"));
      } catch (error) {
        // An event no contract knows, or whose payload does not fit its contract.
        if (error instanceof MalformedEventError) throw new AppError("VALIDATION_FAILED", error.message);
        throw error;
      }
      log.info({ eventId: body.id, outcome }, "activity recorded over REST");
      set.status = outcome === "stored" ? 201 : 200;
      return { id: body.id, outcome };
    },
    {
      body: EventBody,
      response: { 200: RecordedSchema, 201: RecordedSchema },
      detail: { summary: "Record an event (internal): 201 stored, 200 there already" },
    },
  );

  const queries = new Elysia({ tags: ["activity"] }).use(requireAuth(verifier)).get(
    "/activity",
    async ({ query, principal }) => {
      if (query.userId && principal.role !== "admin" && query.userId !== principal.userId) {
        throw new AppError("FORBIDDEN", "Only an admin may read another user's activity.");
      }
      return keysetPage({
        cursor: query.cursor,
        limit: query.limit,
        isPosition,
        fetch: (after, limit) =>
          listEntries(entries, {
            orderId: query.orderId,
            type: query.type,
            userId: principal.role === "admin" ? query.userId : principal.userId,
            before: after && toBefore(after),
            limit,
          }),
        positionOf: (entry): [string, string] => [entry.occurredAt.toISOString(), entry._id],
        view: toActivityView,
      });
    },
    {
      query: ActivityQuery,
      response: { 200: PageOf(ActivityViewSchema) },
      detail: { summary: "Activity entries, newest first (own; admin all)" },
    },
  );

  return new Elysia().use(internal).use(queries);
}

const toBefore = ([at, id]: [string, string]) => ({ occurredAt: new Date(at), id });

/** Where a page ended: the last entry's time and id. */
const isPosition = (value: unknown): value is [string, string] =>
  Array.isArray(value) &&
  value.length === 2 &&
  typeof value[1] === "string" &&
  typeof value[0] === "string" &&
  !Number.isNaN(Date.parse(value[0]));
