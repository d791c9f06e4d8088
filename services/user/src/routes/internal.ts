/**
 * Routes for other services, never exposed by the gateway:
 * GET /internal/users/{id} lets the order service check that a user exists and is active.
 */
import { notFound } from "@platform/errors";
import { isUuid } from "@platform/http";
import { Elysia, t } from "elysia";
import { findUserById, type UserDb } from "../store/user.store.js";
import { InternalUserSchema } from "./schemas.js";

export function internalRoutes({ db }: { db: UserDb }) {
  return new Elysia({ tags: ["internal"] }).get(
    "/internal/users/:id",
    async ({ params }) => {
      const user = isUuid(params.id) ? await findUserById(db, params.id) : undefined;
      if (!user) throw notFound("No such user.");
      return {
        id: user.id,
        email: user.email,
        name: user.name,
        ...(user.phone ? { phone: user.phone } : {}),
        role: user.role,
        active: user.status === "active",
        notificationPreferences: user.notificationPreferences,
      };
    },
    {
      params: t.Object({ id: t.String({ maxLength: 64 }) }),
      response: { 200: InternalUserSchema },
      detail: { summary: "Validate a user (internal: order service)" },
    },
  );
}
