/**
 * A user's own account: the profile they may change, and their password. A password change takes
 * an attempt from the login limiter first (a stolen token must not become a password oracle) and
 * revokes every other session of the user: whoever else held one is out at once.
 */
import { revoke } from "@platform/auth";
import { forbidden, notFound } from "@platform/errors";
import type { LoginLimiter } from "../auth/login-limiter.js";
import { hashPassword, verifyPassword } from "../auth/passwords.js";
import type { NotificationPreferences, User } from "../domain/user.js";
import { liveSessionIds, revokeOtherSessions } from "../store/session.store.js";
import { findCredentials, updatePasswordHash, updateUser } from "../store/user.store.js";
import type { SessionDeps } from "./sessions.js";

/** Changes the name or phone; a change of nothing writes nothing. */
export async function changeProfile(
  deps: SessionDeps,
  userId: string,
  change: { name?: string; phone?: string | null },
): Promise<User> {
  const user = await updateUser(deps.db, userId, change);
  if (!user) throw notFound("The account no longer exists.");
  return user;
}

export async function changeNotificationPreferences(
  deps: SessionDeps,
  userId: string,
  notificationPreferences: NotificationPreferences,
): Promise<NotificationPreferences> {
  const user = await updateUser(deps.db, userId, { notificationPreferences });
  if (!user) throw notFound("The account no longer exists.");
  return user.notificationPreferences;
}

export async function changePassword(
  deps: SessionDeps & { limiter: LoginLimiter },
  caller: { userId: string; email: string; sessionId?: string },
  passwords: { currentPassword: string; newPassword: string },
  ip: string,
): Promise<void> {
  const found = await deps.limiter.attempt(caller.email, ip, async () => {
    const found = await findCredentials(deps.db, caller.email);
    const right = found && (await verifyPassword(passwords.currentPassword, found.passwordHash));
    return right ? found : undefined;
  });
  if (found?.user.id !== caller.userId) {
    throw forbidden("The current password is wrong.");
  }
  await deps.limiter.giveBack(caller.email, ip);
  const announce = (ids: string[]) =>
    revoke(
      deps.redis,
      ids.map((id) => ({ kind: "session" as const, id, at: Date.now() })),
      deps.revocationOptions,
    );
  const newHash = await hashPassword(passwords.newPassword); // slow (argon2id): before anything changes
  // Announced first, all at once: if Redis fails, nothing has changed and the request can be retried.
  const others = await liveSessionIds(deps.db, caller.userId, caller.sessionId);
  await announce(others);
  // The new hash and the revocation in one transaction: a login that checked the old password
  // stores its session before this (and is revoked here) or is refused (createSession).
  const revoked = await deps.db.transaction().execute(async (trx) => {
    await updatePasswordHash(trx, caller.userId, newHash);
    return revokeOtherSessions(trx, caller.userId, caller.sessionId);
  });
  // A session begun meanwhile (a login with the old password) is announced too.
  await announce(revoked.filter((id) => !others.includes(id)));
  deps.logger.info({ userId: caller.userId }, "password changed; the other sessions are revoked");
}
