/**
 * An admin changes another user's access (PATCH /users/{id}): their role, or whether they may use
 * the platform at all. Every token the user holds stops working at once: the revocation is
 * announced in the change's transaction, once the change is allowed and made but before it commits
 * (if Redis fails, the change rolls back and a retry is safe; a refused change announces nothing,
 * so the admin who survives two admins demoting each other keeps their tokens), and again after
 * it commits (a token refreshed in between still carries the old role). Deactivation also ends the
 * user's sessions, so a refresh token from before it does not work again if the account is
 * reactivated. And the platform never loses its last active admin: a demotion or deactivation of
 * an admin locks the active admins first, so of two admins demoting each other at once the second
 * is refused.
 */
import { type RevocationOptions, revoke } from "@platform/auth";
import { forbidden, notFound } from "@platform/errors";
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";
import type { User } from "../domain/user.js";
import { revokeOtherSessions } from "../store/session.store.js";
import { findUserById, type UserChange, type UserDb, updateUser } from "../store/user.store.js";

export interface UserAccessDeps {
  db: UserDb;
  redis: Redis;
  logger: Logger;
  revocationOptions?: RevocationOptions;
}

export async function changeAccess(
  { db, redis, logger, revocationOptions }: UserAccessDeps,
  actorId: string,
  userId: string,
  change: Pick<UserChange, "role" | "status">,
): Promise<User> {
  // Ids are compared as Postgres does: a uuid in capitals is the same user.
  const id = userId.toLowerCase();
  if (id === actorId.toLowerCase()) {
    throw forbidden("An admin cannot change their own role or deactivate themselves.");
  }
  if (change.role === undefined && change.status === undefined) {
    const user = await findUserById(db, id);
    if (!user) throw notFound("No such user.");
    return user;
  }
  const announce = () =>
    revoke(
      redis,
      {
        kind: "user",
        id,
        at: Date.now(),
        ...(change.status === "disabled" ? { reason: "deactivated" } : {}),
      },
      revocationOptions,
    );
  const user = await db.transaction().execute(async (trx) => {
    if (change.role === "user" || change.status === "disabled") await assertNotLastAdmin(trx, id);
    const changed = await updateUser(trx, id, change);
    if (changed && change.status === "disabled") await revokeOtherSessions(trx, id, undefined);
    if (changed) await announce();
    return changed;
  });
  if (!user) throw notFound("No such user.");
  await announce();
  logger.info({ userId: id, ...change }, "user access changed; its tokens are revoked");
  return user;
}

/** Refuses to take away the last active admin; holds the active admins' rows until the change commits. */
async function assertNotLastAdmin(trx: UserDb, id: string): Promise<void> {
  const admins = await trx
    .selectFrom("user")
    .select("id")
    .where("role", "=", "admin")
    .where("status", "=", "active")
    .orderBy("id") // locked in one order by everyone: two such changes never deadlock
    .forUpdate()
    .execute();
  if (admins.length <= 1 && admins.some((admin) => admin.id === id)) {
    throw forbidden(
      "The platform's last active admin cannot be demoted or deactivated; promote another first.",
    );
  }
}
