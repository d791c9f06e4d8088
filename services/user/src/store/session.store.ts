/** Sessions and their refresh tokens in Postgres: created at login, rotated on refresh, revoked. */
import type { UserDb } from "./user.store.js";

/** What presenting a refresh token led to. */
export type Rotation =
  | { outcome: "rotated"; sessionId: string; userId: string }
  /** Spent already: someone else holds a copy. The session is revoked. */
  | { outcome: "reused"; sessionId: string; userId: string }
  | { outcome: "invalid" };

/**
 * Stores a new session and its refresh token, if `passwordHash` (the one the login checked) is still
 * the user's: false when the password changed meanwhile. The check holds the user's row (FOR SHARE)
 * until the session is stored, so a password change either comes first (and this is refused) or
 * waits for it (and then revokes it with the others).
 */
export async function createSession(
  db: UserDb,
  session: { id: string; userId: string; expiresAt: Date; tokenHash: string; passwordHash: string },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom("user")
      .select("id")
      .where("id", "=", session.userId)
      .where("passwordHash", "=", session.passwordHash)
      .forShare()
      .executeTakeFirst();
    if (!current) return false;
    await trx
      .insertInto("session")
      .values({ id: session.id, userId: session.userId, expiresAt: session.expiresAt })
      .execute();
    await trx
      .insertInto("refreshToken")
      .values({ tokenHash: session.tokenHash, sessionId: session.id })
      .execute();
    return true;
  });
}

/**
 * Spends a refresh token and stores its successor in the same session, in one transaction. Only
 * one of two concurrent uses can spend a token (a conditional UPDATE); the other finds it spent and
 * is treated as a reuse, which revokes the session.
 */
export function rotateRefreshToken(db: UserDb, tokenHash: string, nextHash: string): Promise<Rotation> {
  return db.transaction().execute(async (trx): Promise<Rotation> => {
    const now = new Date();
    const spent = await trx
      .updateTable("refreshToken")
      .set({ usedAt: now })
      .where("tokenHash", "=", tokenHash)
      .where("usedAt", "is", null)
      .returning("sessionId")
      .executeTakeFirst();
    const sessionId =
      spent?.sessionId ??
      (
        await trx
          .selectFrom("refreshToken")
          .select("sessionId")
          .where("tokenHash", "=", tokenHash)
          .executeTakeFirst()
      )?.sessionId;
    if (!sessionId) return { outcome: "invalid" };
    const session = await trx
      .selectFrom("session")
      .select(["userId", "expiresAt", "revokedAt"])
      .where("id", "=", sessionId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (!spent) {
      if (!session.revokedAt)
        await trx.updateTable("session").set({ revokedAt: now }).where("id", "=", sessionId).execute();
      return { outcome: "reused", sessionId, userId: session.userId };
    }
    if (session.revokedAt || session.expiresAt <= now) return { outcome: "invalid" };
    await trx.insertInto("refreshToken").values({ tokenHash: nextHash, sessionId }).execute();
    return { outcome: "rotated", sessionId, userId: session.userId };
  });
}

/** Revokes a session; whether it was live. */
export async function revokeSession(db: UserDb, sessionId: string): Promise<boolean> {
  const revoked = await db
    .updateTable("session")
    .set({ revokedAt: new Date() })
    .where("id", "=", sessionId)
    .where("revokedAt", "is", null)
    .returning("id")
    .executeTakeFirst();
  return revoked !== undefined;
}

/** The session a refresh token belongs to, and whose it is, if any. */
export function sessionOfRefreshToken(
  db: UserDb,
  tokenHash: string,
): Promise<{ sessionId: string; userId: string } | undefined> {
  return db
    .selectFrom("refreshToken")
    .innerJoin("session", "session.id", "refreshToken.sessionId")
    .select(["refreshToken.sessionId", "session.userId"])
    .where("refreshToken.tokenHash", "=", tokenHash)
    .executeTakeFirst();
}

/** Revokes every live session of a user but one (none kept when `keep` is undefined); their ids. */
export async function revokeOtherSessions(
  db: UserDb,
  userId: string,
  keep: string | undefined,
): Promise<string[]> {
  let query = db
    .updateTable("session")
    .set({ revokedAt: new Date() })
    .where("userId", "=", userId)
    .where("revokedAt", "is", null);
  if (keep) query = query.where("id", "!=", keep);
  return (await query.returning("id").execute()).map((row) => row.id);
}

/**
 * Deletes up to `batch` sessions that ended (expired or revoked) before `before`, their refresh
 * tokens with them; how many went. A spent token of a session that ended is refused either way.
 */
export async function pruneSessions(db: UserDb, before: Date, batch = 1_000): Promise<number> {
  const ended = db
    .selectFrom("session")
    .select("id")
    .where((eb) => eb.or([eb("revokedAt", "<", before), eb("expiresAt", "<", before)]))
    .limit(batch);
  const deleted = await db.deleteFrom("session").where("id", "in", ended).executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

/** The live sessions of a user but one (none kept when `keep` is undefined). */
export async function liveSessionIds(
  db: UserDb,
  userId: string,
  keep: string | undefined,
): Promise<string[]> {
  let query = db
    .selectFrom("session")
    .select("id")
    .where("userId", "=", userId)
    .where("revokedAt", "is", null);
  if (keep) query = query.where("id", "!=", keep);
  return (await query.execute()).map((row) => row.id);
}

/** Sessions revoked since `since`, with when (what republish-revocations.ts announces again). */
export async function sessionsRevokedSince(
  db: UserDb,
  since: Date,
): Promise<Array<{ id: string; at: Date }>> {
  const rows = await db
    .selectFrom("session")
    .select(["id", "revokedAt"])
    .where("revokedAt", ">", since)
    .execute();
  return rows.map((row) => ({ id: row.id, at: row.revokedAt as Date }));
}
