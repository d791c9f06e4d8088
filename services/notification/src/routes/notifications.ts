/**
 * The notification API (through the gateway at /api/notifications): a user reads their own, an
 * admin reads all and may retry a failed one.
 */
import { assertAdmin, requireAuth, type TokenVerifier } from "@platform/auth";
import { AppError, notFound } from "@platform/errors";
import { isUuid, keysetPage, PageOf, PageQuery, problems } from "@platform/http";
import { Elysia, t } from "elysia";
import type { DeliveryWorker } from "../delivery/delivery-worker.js";
import {
  findNotification,
  listNotifications,
  type NotificationDb,
  retryFailed,
} from "../store/notification.store.js";
import { NotificationViewSchema, toNotificationView } from "./notification-view.js";

const ListQuery = t.Object({
  orderId: t.Optional(t.String({ format: "uuid" })),
  status: t.Optional(t.Union([t.Literal("pending"), t.Literal("sent"), t.Literal("failed")])),
  ...PageQuery,
});

export function notificationsRoutes({
  db,
  verifier,
  worker,
}: {
  db: NotificationDb;
  verifier: TokenVerifier;
  worker: DeliveryWorker;
}) {
  return new Elysia({ tags: ["notifications"] })
    .use(requireAuth(verifier))
    .get(
      "/notifications",
      async ({ query, principal }) => {
        return keysetPage({
          cursor: query.cursor,
          limit: query.limit,
          isPosition: isUuid,
          fetch: (beforeId, limit) =>
            listNotifications(db, {
              userId: principal.role === "admin" ? undefined : principal.userId,
              orderId: query.orderId,
              status: query.status,
              beforeId,
              limit,
            }),
          positionOf: (row) => row.id,
          view: (row) => toNotificationView(row, principal),
        });
      },
      {
        query: ListQuery,
        response: { 200: PageOf(NotificationViewSchema) },
        detail: { summary: "Notifications, newest first (own; admin all)" },
      },
    )
    .get(
      "/notifications/:id",
      async ({ params, principal }) => {
        const row = isUuid(params.id) ? await findNotification(db, params.id) : undefined;
        if (!row || (principal.role !== "admin" && row.userId !== principal.userId))
          throw notFound("No such notification.");
        return toNotificationView(row, principal);
      },
      {
        params: t.Object({ id: t.String({ maxLength: 64 }) }),
        response: { 200: NotificationViewSchema },
        detail: {
          summary:
            "One notification with its attempts and last error (in full for admins, in plain words for its owner)",
        },
      },
    )
    .post(
      "/notifications/:id/retry",
      async ({ params, principal, set }) => {
        assertAdmin(principal);
        const row = isUuid(params.id) ? await findNotification(db, params.id) : undefined;
        if (!row) throw notFound("No such notification.");
        // A channel switched off since (its URL removed): nothing would ever send it again.
        if (!worker.sendsOn(row.channel))
          throw new AppError(
            "INVALID_TRANSITION",
            `The ${row.channel} channel is not configured; a retry would never be sent.`,
          );
        const retried = await retryFailed(db, params.id);
        if (!retried)
          throw new AppError(
            "INVALID_TRANSITION",
            `Only a failed notification can be retried; this one is ${row.status}.`,
          );
        worker.nudge();
        set.status = 202;
        return toNotificationView(retried, principal);
      },
      {
        params: t.Object({ id: t.String({ maxLength: 64 }) }),
        response: { 202: NotificationViewSchema },
        detail: { summary: "Retry a failed notification (admin)", ...problems("INVALID_TRANSITION") },
      },
    );
}
