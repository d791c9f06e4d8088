/**
 * Revocations live in Redis (@platform/auth revocations.ts), which keeps them through a restart —
 * all but its last second of writes after a crash (`appendfsync everysec`). Postgres holds the truth
 * behind them: a session's `revoked_at`, a user's `disabled` status. So the user service announces
 * again what could still apply to a live access token (within its lifetime): at start-up and
 * whenever its Redis connection comes back. A verifier that starts after such a crash (a gateway
 * scaled out) learns them, instead of accepting a logged-out session's or a deactivated user's token
 * until it expires. Announcing one again changes nothing where it is known. (A role change leaves
 * nothing in Postgres to say when it happened: its revocation is not announced again.)
 */
import { type Revocation, revoke } from "@platform/auth";
import type { Redis } from "ioredis";
import { sessionsRevokedSince } from "../store/session.store.js";
import { type UserDb, usersDeactivatedSince } from "../store/user.store.js";

const BATCH = 500;

export async function republishRevocations(
  { db, redis }: { db: UserDb; redis: Redis },
  tokenTtlSeconds: number,
): Promise<number> {
  const since = new Date(Date.now() - tokenTtlSeconds * 1000);
  const [sessions, users] = await Promise.all([
    sessionsRevokedSince(db, since),
    usersDeactivatedSince(db, since),
  ]);
  const revocations: Revocation[] = [
    ...sessions.map(({ id, at }) => ({ kind: "session" as const, id, at: at.getTime() })),
    ...users.map(({ id, at }) => ({
      kind: "user" as const,
      id,
      at: at.getTime(),
      reason: "deactivated" as const,
    })),
  ];
  for (let i = 0; i < revocations.length; i += BATCH) {
    // Remembered as long as a token they could apply to may live, as every announcement is.
    await revoke(redis, revocations.slice(i, i + BATCH), { maxTokenTtlSeconds: tokenTtlSeconds });
  }
  return revocations.length;
}
