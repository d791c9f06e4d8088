/** Registration and profiles: POST /users, GET /users/me, GET /users/{id}. */
import { requireAuth, type TokenVerifier } from "@platform/auth";
import { notFound } from "@platform/errors";
import { isUuid, requestContext } from "@platform/http";
import type { Logger } from "@platform/logging";
import { Elysia, t } from "elysia";
import { hashPassword } from "../auth/passwords.js";
import { toPublicUser } from "../domain/user.js";
import { findUserById, insertUser, type UserDb } from "../store/user.store.js";
import { normaliseIdentity, PublicUserSchema, RegisterBody } from "./schemas.js";

export function usersRoutes({
  db,
  verifier,
  logger,
}: {
  db: UserDb;
  verifier: TokenVerifier;
  logger: Logger;
}) {
  return (
    new Elysia({ tags: ["users"] })
      .use(requestContext(logger))
      .post(
        "/users",
        async ({ body, set, log }) => {
          const user = await insertUser(db, {
            email: body.email,
            name: body.name,
            passwordHash: await hashPassword(body.password),
          });
          log.info({ userId: user.id }, "user registered");
          set.status = 201;
          set.headers.location = `/users/${user.id}`;
          return toPublicUser(user);
        },
        {
          transform: normaliseIdentity,
          body: RegisterBody,
          response: { 201: PublicUserSchema },
          detail: { summary: "Register a user" },
        },
      )
      // Every route below needs a verified bearer token.
      .use(requireAuth(verifier))
      .get(
        "/users/me",
        async ({ principal }) => {
          const user = await findUserById(db, principal.userId);
          if (!user) throw notFound("The account no longer exists.");
          return toPublicUser(user);
        },
        { response: { 200: PublicUserSchema }, detail: { summary: "The caller's own profile" } },
      )
      .get(
        "/users/:id",
        async ({ params, principal }) => {
          // Anyone but the user and admins gets 404, not 403: the answer must not reveal who exists.
          const allowed = principal.role === "admin" || principal.userId === params.id;
          const user = allowed && isUuid(params.id) ? await findUserById(db, params.id) : undefined;
          if (!user) throw notFound("No such user.");
          return toPublicUser(user);
        },
        {
          params: t.Object({ id: t.String({ maxLength: 64 }) }),
          response: { 200: PublicUserSchema },
          detail: { summary: "A user's profile (self or admin)" },
        },
      )
  );
}
