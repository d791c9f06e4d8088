/**
 * The caller's own account: PATCH /users/me (name, phone), PUT /users/me/password, and
 * GET/PUT /users/me/notification-preferences.
 */
import { requireAuth, type TokenVerifier } from "@platform/auth";
import { notFound } from "@platform/errors";
import { clientIp, problems, requestContext, type TrustedProxies } from "@platform/http";
import { Elysia } from "elysia";
import type { LoginLimiter } from "../auth/login-limiter.js";
import { assertPasswordLength, toPublicUser } from "../domain/user.js";
import { findUserById } from "../store/user.store.js";
import { changeNotificationPreferences, changePassword, changeProfile } from "../use-cases/account.js";
import type { SessionDeps } from "../use-cases/sessions.js";
import {
  NotificationPreferencesSchema,
  normaliseIdentity,
  PasswordBody,
  ProfileBody,
  PublicUserSchema,
} from "./schemas.js";

export interface AccountRouteDeps extends SessionDeps {
  verifier: TokenVerifier;
  limiter: LoginLimiter;
  trustedProxies: TrustedProxies;
}

export function accountRoutes(deps: AccountRouteDeps) {
  return new Elysia({ tags: ["users"] })
    .use(requestContext(deps.logger))
    .use(requireAuth(deps.verifier))
    .patch(
      "/users/me",
      async ({ body, principal }) =>
        toPublicUser(await changeProfile(deps, principal.userId, { name: body.name, phone: body.phone })),
      {
        // Trimmed before validation, as at registration: a name of spaces is no name.
        transform: normaliseIdentity,
        body: ProfileBody,
        response: { 200: PublicUserSchema },
        detail: { summary: "Change one's name or phone (E.164; null removes it)", ...problems("NOT_FOUND") },
      },
    )
    .put(
      "/users/me/password",
      async ({ body, principal, request, server, set }) => {
        assertPasswordLength(body.newPassword, "newPassword");
        const ip = clientIp(request, server?.requestIP(request)?.address, deps.trustedProxies);
        await changePassword(deps, principal, body, ip);
        set.status = 204;
      },
      {
        body: PasswordBody,
        detail: {
          summary: "Change one's password; every other session of the user is revoked",
          responses: { 204: { description: "Changed" } },
          ...problems("RATE_LIMITED"),
        },
      },
    )
    .get(
      "/users/me/notification-preferences",
      async ({ principal }) => {
        const user = await findUserById(deps.db, principal.userId);
        if (!user) throw notFound("The account no longer exists.");
        return user.notificationPreferences;
      },
      {
        response: { 200: NotificationPreferencesSchema },
        detail: {
          summary: "Which optional channels one wants (log and WebSocket are always on)",
          ...problems("NOT_FOUND"),
        },
      },
    )
    .put(
      "/users/me/notification-preferences",
      ({ body, principal }) =>
        changeNotificationPreferences(deps, principal.userId, {
          email: body.email,
          sms: body.sms,
          webhook: body.webhook,
        }),
      {
        body: NotificationPreferencesSchema,
        response: { 200: NotificationPreferencesSchema },
        detail: {
          summary:
            "Choose the optional channels: every order event from now on follows them (within the order service's 30 s user cache)",
          ...problems("NOT_FOUND"),
        },
      },
    );
}
