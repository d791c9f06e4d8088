/**
 * Registration, profiles and access: POST /users, GET /users/me, GET /users (admin),
 * GET /users/{id}, PATCH /users/{id} (admin).
 */
import { assertAdmin, type RevocationOptions, requireAuth, type TokenVerifier } from "@platform/auth";
import { notFound } from "@platform/errors";
import { isUuid, keysetPage, PageOf, problems, requestContext } from "@platform/http";
import type { Logger } from "@platform/logging";
import { Elysia, t } from "elysia";
import type { Redis } from "ioredis";
import { hashPassword } from "../auth/passwords.js";
import { assertPasswordLength, toPublicUser } from "../domain/user.js";
import { findUserById, insertUser, listUsers, type UserChange, type UserDb } from "../store/user.store.js";
import { changeAccess } from "../use-cases/user-access.js";
import {
  normaliseIdentity,
  PublicUserSchema,
  RegisterBody,
  UserAccessBody,
  UserListQuery,
} from "./schemas.js";

export function usersRoutes({
  db,
  redis,
  verifier,
  logger,
  revocationOptions,
}: {
  db: UserDb;
  redis: Redis;
  verifier: TokenVerifier;
  logger: Logger;
  /** Where revocations go and how long they are remembered (the access tokens' lifetime). */
  revocationOptions?: RevocationOptions;
}) {
  return (
    new Elysia({ tags: ["users"] })
      .use(requestContext(logger))
      .post(
        "/users",
        async ({ body, set, log }) => {
          assertPasswordLength(body.password, "password");
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
          detail: { summary: "Register a user", ...problems("EMAIL_TAKEN") },
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
        {
          response: { 200: PublicUserSchema },
          detail: { summary: "The caller's own profile", ...problems("NOT_FOUND") },
        },
      )
      .get(
        "/users",
        async ({ query, principal }) => {
          assertAdmin(principal);
          return keysetPage({
            cursor: query.cursor,
            limit: query.limit,
            isPosition: isUuid,
            fetch: (before, limit) =>
              listUsers(db, { q: query.q, role: query.role, active: query.active, before, limit }),
            positionOf: (user) => user.id,
            view: toPublicUser,
          });
        },
        {
          query: UserListQuery,
          response: { 200: PageOf(PublicUserSchema) },
          detail: { summary: "Users, newest first, by email or name, role and activity (admin)" },
        },
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
      .patch(
        "/users/:id",
        async ({ params, body, principal }) => {
          assertAdmin(principal);
          if (!isUuid(params.id)) throw notFound("No such user.");
          const change: UserChange = {};
          if (body.role) change.role = body.role;
          if (body.active !== undefined) change.status = body.active ? "active" : "disabled";
          const user = await changeAccess(
            { db, redis, logger, revocationOptions },
            principal.userId,
            params.id,
            change,
          );
          return toPublicUser(user);
        },
        {
          params: t.Object({ id: t.String({ maxLength: 64 }) }),
          body: UserAccessBody,
          response: { 200: PublicUserSchema },
          detail: {
            summary: "Change a user's role or deactivate them (admin); their tokens stop working at once",
          },
        },
      )
  );
}
