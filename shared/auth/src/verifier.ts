/**
 * Verifies the platform's bearer tokens (EdDSA JWTs minted only by the user service) against its
 * JWKS. A remote key set is held as remote-key-set.ts says: refreshed every minute and when a
 * token names an unknown `kid`, so a key rotation needs no restart anywhere, and a key taken out
 * of the set stops verifying within that minute, remembered tokens included.
 */
import { forbidden, unauthenticated } from "@platform/errors";
import type { Redis } from "ioredis";
import { createLocalJWKSet, decodeProtectedHeader, errors, type JSONWebKeySet, jwtVerify } from "jose";
import { LRUCache } from "lru-cache";
import { RemoteKeySet } from "./remote-key-set.js";
import { type RevocationCheck, RevocationList } from "./revocations.js";

export type Role = "user" | "admin";

/** Who is calling, as the token says. */
export interface Principal {
  userId: string;
  email: string;
  role: Role;
  /** The login (refresh-token family) the token belongs to; tokens minted elsewhere may have none. */
  sessionId?: string;
  /** `iat` and `exp`, seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
}

export interface TokenVerifierOptions {
  /** The user service's /.well-known/jwks.json, or a key set held in process (the user service itself). */
  keys: { jwksUrl: string } | { jwks: JSONWebKeySet };
  issuer: string;
  audience: string;
  /** Allowed clock skew between services. */
  clockToleranceSeconds?: number;
  /**
   * The access tokens' lifetime (JWT_TTL_SECONDS): a token issued longer ago is refused whatever its
   * `exp` says, so a revocation need not be remembered longer. MAX_ACCESS_TOKEN_TTL_SECONDS unless set.
   */
  maxTokenAgeSeconds?: number;
  /** Least time between two JWKS fetches an unknown kid triggers. */
  jwksCooldownMs?: number;
  /** How old the held key set may grow before it is fetched again (in the background). */
  jwksRefreshMs?: number;
  /** How many verified tokens are remembered (each until it expires). */
  cacheSize?: number;
  /** Revoked sessions and users (logout, deactivation): checked on every verification, cached or not. */
  revocations?: RevocationCheck;
}

export interface TokenVerifier {
  /** The token's principal; throws a 401 AppError for any token that is not valid now. */
  verify(token: string): Promise<Principal>;
}

export const TOKEN_ALGORITHM = "EdDSA";

/** The longest an access token may live: revocations are remembered this long. */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 86_400;

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const maxTokenAgeSeconds = options.maxTokenAgeSeconds ?? MAX_ACCESS_TOKEN_TTL_SECONDS;
  const remote =
    "jwksUrl" in options.keys
      ? new RemoteKeySet(new URL(options.keys.jwksUrl), {
          refreshMs: options.jwksRefreshMs ?? 60_000,
          cooldownMs: options.jwksCooldownMs ?? 30_000,
          timeoutMs: 3_000,
        })
      : undefined;
  const keySet = remote?.getKey ?? createLocalJWKSet((options.keys as { jwks: JSONWebKeySet }).jwks);
  // A token checked once is trusted until it expires, or until its key leaves the key set: verifying
  // an EdDSA signature on every request of a busy client costs more than the rest of the edge. Keyed
  // by the whole token, so a token that differs in one byte is verified afresh.
  const verified = new LRUCache<string, { principal: Principal; kid: string | undefined }>({
    max: options.cacheSize ?? 10_000,
  });
  const remembered = (token: string) => {
    remote?.keepFresh(); // also while every token is a remembered one: how a removed key is noticed
    const entry = verified.get(token);
    if (!entry) return undefined;
    if (remote && entry.kid !== undefined && !remote.has(entry.kid)) {
      verified.delete(token); // its key was taken out (a rotation after a leak): verified afresh
      return undefined;
    }
    return entry.principal;
  };
  return {
    async verify(token) {
      const principal = remembered(token) ?? (await verifySignature(token));
      const revocation = options.revocations?.revocationOf(principal);
      if (revocation?.reason === "deactivated") throw forbidden("The account is deactivated.");
      if (revocation) throw unauthenticated("The token has been revoked.");
      return principal;
    },
  };

  async function verifySignature(token: string): Promise<Principal> {
    try {
      const kid = kidOf(token);
      // The user service names its key in every token; one naming none could not be forgotten when
      // its key leaves the set (above).
      if (remote && kid === undefined) {
        throw unauthenticated("The token does not name its key.");
      }
      const { payload } = await jwtVerify(token, keySet, {
        // Only the algorithm we mint: rejects alg "none", HS256 with a public key as secret, ...
        algorithms: [TOKEN_ALGORITHM],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ["sub", "exp", "iat"],
        maxTokenAge: maxTokenAgeSeconds,
        clockTolerance: options.clockToleranceSeconds ?? 5,
      });
      const { sub, email, role, sid } = payload as {
        sub?: string;
        email?: unknown;
        role?: unknown;
        sid?: unknown;
      };
      if (!sub || typeof email !== "string" || (role !== "user" && role !== "admin")) {
        throw unauthenticated("The token lacks the platform's claims.");
      }
      const principal: Principal = {
        userId: sub,
        email,
        role,
        ...(typeof sid === "string" ? { sessionId: sid } : {}),
        issuedAt: payload.iat as number,
        expiresAt: payload.exp as number,
      };
      // Until it expires, or grows older than a token may be (whatever its `exp` says).
      const until = Math.min(principal.expiresAt, principal.issuedAt + maxTokenAgeSeconds) * 1000;
      const ttl = until - Date.now();
      if (ttl > 0) verified.set(token, { principal, kid }, { ttl });
      return principal;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthenticated("The token has expired.");
      if (error instanceof errors.JOSEError) throw unauthenticated("The token is not valid.");
      throw error;
    }
  }
}

/** The key a token's header names; a token whose header does not parse is not valid (401). */
function kidOf(token: string): string | undefined {
  try {
    return decodeProtectedHeader(token).kid;
  } catch {
    throw unauthenticated("The token is not valid.");
  }
}

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  const match = authorization?.match(/^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i);
  return match?.[1];
}

/** What a verifying service is configured with (tokenVerificationSettings in @platform/config). */
export interface VerifierConfig {
  JWKS_URL: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  JWT_TTL_SECONDS: number;
}

/**
 * What a service that verifies tokens starts with: the revocation list (subscribed and loaded,
 * remembering revocations for JWT_TTL_SECONDS) and a verifier configured with JWKS_URL, JWT_ISSUER,
 * JWT_AUDIENCE and JWT_TTL_SECONDS that consults it. Close the list at shutdown.
 */
export async function startVerifier(
  config: VerifierConfig,
  redis: Redis,
): Promise<{ verifier: TokenVerifier; revocations: RevocationList }> {
  const revocations = await RevocationList.start(redis, { maxTokenTtlSeconds: config.JWT_TTL_SECONDS });
  return { verifier: verifierFromConfig(config, revocations), revocations };
}

/** The verifier of a service configured with JWKS_URL, JWT_ISSUER, JWT_AUDIENCE and JWT_TTL_SECONDS. */
export const verifierFromConfig = (config: VerifierConfig, revocations?: RevocationCheck) =>
  createTokenVerifier({
    keys: { jwksUrl: config.JWKS_URL },
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    maxTokenAgeSeconds: config.JWT_TTL_SECONDS,
    revocations,
  });
