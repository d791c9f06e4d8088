/**
 * Sessions (ARCHITECTURE §5): a login starts one and answers an access token with a refresh
 * token; a refresh spends its token for a new pair in the same session; a spent token presented
 * again means a copy is in other hands, so the whole session is revoked; logout revokes the session
 * at once. A revocation reaches every verifier through the revocation list, so the session's
 * access tokens stop working before they expire.
 */
import { type RevocationOptions, revoke, tokenIssueDelayMs, userRevokedAt } from "@platform/auth";
import { unauthenticated } from "@platform/errors";
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";
import type { SigningKeys } from "../auth/signing-keys.js";
import {
  hashRefreshToken,
  issueAccessToken,
  newRefreshToken,
  type TokenPair,
  type TokenSettings,
} from "../auth/tokens.js";
import type { User } from "../domain/user.js";
import {
  createSession,
  revokeSession,
  rotateRefreshToken,
  sessionOfRefreshToken,
} from "../store/session.store.js";
import { findUserById, type UserDb } from "../store/user.store.js";

export interface SessionDeps {
  db: UserDb;
  redis: Redis;
  keys: SigningKeys;
  tokens: TokenSettings;
  logger: Logger;
  /** Where revocations go (the default keys unless a test isolates its own). */
  revocationOptions?: RevocationOptions;
}

const invalidRefreshToken = () => unauthenticated("The refresh token is not valid.");

/**
 * A login's session, for the password hash the login checked; undefined when that is no longer the
 * user's (the password was changed while the login was checking it).
 */
export async function startSession(
  deps: SessionDeps,
  user: User,
  passwordHash: string,
): Promise<TokenPair | undefined> {
  const sessionId = Bun.randomUUIDv7();
  const refreshToken = newRefreshToken();
  const created = await createSession(deps.db, {
    id: sessionId,
    userId: user.id,
    expiresAt: new Date(Date.now() + deps.tokens.refreshTtlSeconds * 1000),
    tokenHash: hashRefreshToken(refreshToken),
    passwordHash,
  });
  return created ? pair(deps, user, sessionId, refreshToken) : undefined;
}

export async function refreshSession(deps: SessionDeps, refreshToken: string): Promise<TokenPair> {
  const next = newRefreshToken();
  const rotation = await rotateRefreshToken(deps.db, hashRefreshToken(refreshToken), hashRefreshToken(next));
  if (rotation.outcome === "invalid") throw invalidRefreshToken();
  if (rotation.outcome === "reused") {
    deps.logger.warn(
      { userId: rotation.userId, sessionId: rotation.sessionId },
      "a spent refresh token was presented again; its session is revoked",
    );
    await announce(deps, rotation.sessionId);
    throw invalidRefreshToken();
  }
  const user = await findUserById(deps.db, rotation.userId);
  if (user?.status !== "active") {
    await endSession(deps, { userId: rotation.userId, sessionId: rotation.sessionId });
    throw invalidRefreshToken();
  }
  return pair(deps, user, rotation.sessionId, next);
}

/**
 * Logout: the caller's session ends, and the session of the refresh token given with it (when it
 * is the caller's too: a client may hold the pair of another login of the same user).
 */
export async function endSession(
  deps: SessionDeps,
  caller: { userId: string; sessionId?: string },
  refreshToken?: string,
): Promise<void> {
  const sessions = new Set<string>();
  if (caller.sessionId) sessions.add(caller.sessionId);
  if (refreshToken) {
    const other = await sessionOfRefreshToken(deps.db, hashRefreshToken(refreshToken));
    if (other?.userId === caller.userId) sessions.add(other.sessionId);
  }
  for (const sessionId of sessions) {
    // Announced even when the row was revoked already: the announcement may be what was lost.
    await revokeSession(deps.db, sessionId);
    await announce(deps, sessionId);
  }
}

const announce = (deps: SessionDeps, sessionId: string) =>
  revoke(deps.redis, { kind: "session", id: sessionId, at: Date.now() }, deps.revocationOptions);

async function pair(
  deps: SessionDeps,
  user: User,
  sessionId: string,
  refreshToken: string,
): Promise<TokenPair> {
  for (let attempt = 1; ; attempt++) {
    // Right after a role change or a reactivation, a token signed in the same second would count as
    // revoked (`iat` is in whole seconds): wait for the next second (capped, whatever the clocks say).
    await Bun.sleep(Math.min(tokenIssueDelayMs(await lastRevocation(deps, user.id)), MAX_ISSUE_DELAY_MS));
    const signedAt = Date.now();
    const access = await issueAccessToken(deps.keys, deps.tokens, user, sessionId);
    // The user as it is now, after signing: a deactivation or a role change between the read the
    // caller made and the signature would otherwise yield a token issued after its revocation.
    const now = await findUserById(deps.db, user.id);
    if (now?.status !== "active" || now.role !== user.role) {
      await endSession(deps, { userId: user.id, sessionId });
      throw unauthenticated("The account changed while signing in; sign in again.");
    }
    // A revocation recorded while this token was signed, in its second, would refuse it: sign again.
    const revoked = await lastRevocation(deps, user.id);
    if (attempt < 3 && revoked !== undefined && Math.floor(revoked / 1000) >= Math.floor(signedAt / 1000))
      continue;
    return { ...access, refreshToken, refreshExpiresIn: deps.tokens.refreshTtlSeconds };
  }
}

const MAX_ISSUE_DELAY_MS = 2_000;

/**
 * When the user was last revoked as a whole. Redis away counts as never: the wait only spares the
 * user a refused token; the verifiers' check is the rule, and logins keep working without Redis.
 */
const lastRevocation = (deps: SessionDeps, userId: string) =>
  userRevokedAt(deps.redis, userId, deps.revocationOptions).catch(() => undefined);
