/**
 * Revoked sessions and users, known to every service that verifies tokens, at once and without a
 * Redis round trip per request.
 *
 * Access tokens are short-lived JWTs checked offline; revocation covers the minutes until they
 * expire. The user service records a revocation in Redis (a sorted set, scored by when it
 * happened) and publishes it; each verifier holds both sets in memory, loaded at start and on every
 * reconnection, and kept current by the publications. An entry is dropped once every token it
 * could apply to has expired (older than the longest access-token lifetime).
 *
 *   - a session (one login and its refresh-token family: logout, a reused refresh token): every
 *     token carrying its `sid` is refused;
 *   - a user (deactivation, a role change): every token of that user issued before the revocation
 *     is refused. Tokens carry `iat` in whole seconds, so a token issued in the same second as the
 *     revocation counts as issued before it; the user service therefore issues that user no token
 *     until the next second (userRevokedAt, tokenIssueDelayMs).
 */
import { EventEmitter } from "node:events";
import { pingWhileSubscribed } from "@platform/redis";
import type { Redis } from "ioredis";
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from "./verifier.js";

const RELOAD_EVERY_MS = 30_000;
/** Kept past the longest token lifetime by the verifiers' clock tolerance and then some. */
const KEEP_MARGIN_MS = 60_000;

export interface Revocation {
  kind: "session" | "user";
  id: string;
  /** When it happened (ms since the epoch). */
  at: number;
  /** A deactivated user's tokens are refused with 403 (the account may not act), others with 401. */
  reason?: "deactivated";
}

type TokenFacts = { userId: string; sessionId?: string; issuedAt: number };

export interface RevocationCheck {
  /** The revocation that applies to the token, if one does. */
  revocationOf(token: TokenFacts): Revocation | undefined;
}

/** A Redis member: the id, and the reason after a `#` (ids are UUIDs: no `#` in them). */
const toMember = ({ id, reason }: Revocation) => (reason ? `${id}#${reason}` : id);
const fromMember = (member: string): Pick<Revocation, "id" | "reason"> => {
  const [id = "", reason] = member.split("#");
  return reason === "deactivated" ? { id, reason } : { id };
};

export interface RevocationOptions {
  /** The longest lifetime of an access token: older revocations can no longer matter. */
  maxTokenTtlSeconds?: number;
  /** Of the Redis keys and channel ("auth:"); tests give their own. */
  keyPrefix?: string;
}

const keys = (prefix: string) => ({
  session: `${prefix}revoked:sessions`,
  user: `${prefix}revoked:users`,
  channel: `${prefix}revocations`,
});

/**
 * Records revocations and tells every verifier (the user service calls this): all of them in one
 * transaction, so either every one is recorded and announced or the call fails and none is.
 */
export async function revoke(
  redis: Redis,
  revocations: Revocation | readonly Revocation[],
  options: RevocationOptions = {},
): Promise<void> {
  const all: readonly Revocation[] = "kind" in revocations ? [revocations] : revocations;
  if (all.length === 0) return;
  const names = keys(options.keyPrefix ?? "auth:");
  const transaction = redis.multi();
  for (const revocation of all) {
    const forgetBefore =
      revocation.at - (options.maxTokenTtlSeconds ?? MAX_ACCESS_TOKEN_TTL_SECONDS) * 1000 - KEEP_MARGIN_MS;
    transaction
      .zadd(names[revocation.kind], revocation.at, toMember(revocation))
      .zremrangebyscore(names[revocation.kind], "-inf", `(${forgetBefore}`)
      .publish(names.channel, JSON.stringify(revocation));
  }
  await transaction.exec();
}

/**
 * When the user was last revoked as a whole (a role change, a deactivation), as long as Redis keeps
 * it (entries go once no token they could apply to is alive). Tokens issued in that second count as
 * revoked, so the user service waits for the next second before issuing this user a token (see
 * tokenIssueDelayMs).
 */
export async function userRevokedAt(
  redis: Redis,
  userId: string,
  options: RevocationOptions = {},
): Promise<number | undefined> {
  const { user } = keys(options.keyPrefix ?? "auth:");
  const scores = await redis.zmscore(
    user,
    userId,
    toMember({ kind: "user", id: userId, at: 0, reason: "deactivated" }),
  );
  const known = scores.filter((score): score is string => score !== null).map(Number);
  return known.length > 0 ? Math.max(...known) : undefined;
}

/** How long to wait before a token issued now would no longer fall in the second of a revocation. */
export function tokenIssueDelayMs(revokedAt: number | undefined, now = Date.now()): number {
  if (revokedAt === undefined) return 0;
  return Math.max(0, (Math.floor(revokedAt / 1000) + 1) * 1000 - now);
}

/** A verifier's copy of the revocations; emits "revoked" (a Revocation) for each one it learns of. */
export class RevocationList extends EventEmitter implements RevocationCheck {
  private readonly sessions = new Map<string, Revocation>();
  private readonly users = new Map<string, Revocation>();
  private readonly names: ReturnType<typeof keys>;

  private constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly options: RevocationOptions,
  ) {
    super();
    this.names = keys(options.keyPrefix ?? "auth:");
  }

  /** Subscribes, then loads what is recorded; again after every reconnection (nothing is missed). */
  static async start(redis: Redis, options: RevocationOptions = {}): Promise<RevocationList> {
    // Its own connection (a subscribed one can do nothing else), queueing the SUBSCRIBE until it is up.
    const list = new RevocationList(redis, redis.duplicate({ enableOfflineQueue: true }), options);
    list.subscriber.on("message", (_channel, message) => {
      const revocation = JSON.parse(message) as Revocation;
      if (!list.learn(revocation)) return;
      list.forgetOld();
      list.emit("revoked", revocation);
    });
    // After a reconnection: announcements made meanwhile were missed, so read the sets again, until
    // that works (the main connection may come back later than this one); and every half minute
    // anyway, as a net under whatever else could be missed.
    list.subscriber.on("ready", () => list.reloadUntilDone());
    list.timer = setInterval(() => void list.load().catch(() => {}), RELOAD_EVERY_MS);
    list.timer.unref();
    await list.subscriber.subscribe(list.names.channel);
    list.stopPinging = pingWhileSubscribed(list.subscriber);
    await list.load();
    return list;
  }

  private timer: Timer | undefined;
  private stopPinging: (() => void) | undefined;
  private closed = false;

  private async reloadUntilDone(): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        return await this.load();
      } catch {
        await Bun.sleep(Math.min(250 * 2 ** attempt, 5_000));
      }
    }
  }

  revocationOf(token: TokenFacts): Revocation | undefined {
    const user = this.users.get(token.userId);
    if (user && token.issuedAt * 1000 <= user.at) return user;
    return token.sessionId === undefined ? undefined : this.sessions.get(token.sessionId);
  }

  isRevoked(token: TokenFacts): boolean {
    return this.revocationOf(token) !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.stopPinging?.();
    this.subscriber.disconnect();
  }

  private async load(): Promise<void> {
    for (const kind of ["session", "user"] as const) {
      const entries = await this.redis.zrange(this.names[kind], "0", "-1", "WITHSCORES");
      for (let i = 0; i < entries.length; i += 2) {
        const revocation: Revocation = {
          kind,
          ...fromMember(entries[i] as string),
          at: Number(entries[i + 1]),
        };
        // One learnt only now (missed while away) closes the sockets it concerns like any other.
        if (this.learn(revocation)) this.emit("revoked", revocation);
      }
    }
    this.forgetOld();
  }

  /** Whether the revocation was news. */
  private learn(revocation: Revocation): boolean {
    const map = revocation.kind === "session" ? this.sessions : this.users;
    const known = map.get(revocation.id);
    if (known !== undefined && known.at >= revocation.at) return false;
    map.set(revocation.id, revocation);
    return true;
  }

  private forgetOld(): void {
    const before =
      Date.now() - (this.options.maxTokenTtlSeconds ?? MAX_ACCESS_TOKEN_TTL_SECONDS) * 1000 - KEEP_MARGIN_MS;
    for (const map of [this.sessions, this.users]) {
      for (const [id, { at }] of map) if (at < before) map.delete(id);
    }
  }
}
