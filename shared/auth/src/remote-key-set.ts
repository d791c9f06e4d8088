/**
 * The user service's signing keys as a verifying service holds them: fetched from its JWKS, fetched
 * again in the background once the copy is older than `refreshMs`, and at once (at most every
 * `cooldownMs`) when a token names a key the copy lacks. Verification waits for the network only
 * for such a key, so a user service that is down or silent does not fail the tokens of every
 * service: a fetch that fails keeps the last good copy (and a token whose key it cannot tell is a
 * 503, not a 401). A key taken out of the set stops verifying within `refreshMs` (verifier.ts drops
 * the tokens it remembered for it), which is what rotating a leaked key relies on.
 */
import { dependencyUnavailable } from "@platform/errors";
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";

export interface RemoteKeySetOptions {
  refreshMs: number;
  cooldownMs: number;
  timeoutMs: number;
}

export class RemoteKeySet {
  private local: JWTVerifyGetKey | undefined;
  private kids = new Set<string>();
  private fetchedAt = 0;
  private triedAt = Number.NEGATIVE_INFINITY;
  private fetching: Promise<boolean> | undefined;

  constructor(
    private readonly url: URL,
    private readonly options: RemoteKeySetOptions,
  ) {}

  /** The key for a token's header, for jwtVerify. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const unknown = header.kid !== undefined && !this.kids.has(header.kid);
    if (!this.local || (unknown && Date.now() - this.triedAt >= this.options.cooldownMs)) {
      const fetched = await this.refresh();
      const stillUnknown = header.kid !== undefined && !this.kids.has(header.kid);
      if (!this.local || (!fetched && stillUnknown)) {
        throw dependencyUnavailable("the user service's signing keys");
      }
    } else {
      this.keepFresh();
    }
    return this.local(header, token);
  };

  /**
   * Starts a fetch in the background when the copy is older than `refreshMs` — and the last try
   * longer ago than `cooldownMs`: with the user service away, not one fetch per request.
   */
  keepFresh(): void {
    const now = Date.now();
    const stale = now - this.fetchedAt >= this.options.refreshMs;
    if (this.local && stale && now - this.triedAt >= this.options.cooldownMs) void this.refresh();
  }

  /** Whether the copy has this key (a token verified with a key since taken out is not trusted). */
  has(kid: string): boolean {
    return this.kids.has(kid);
  }

  /** Fetches the set once at a time; resolves to whether it was fetched (else the old copy stays). */
  private refresh(): Promise<boolean> {
    this.fetching ??= (async () => {
      this.triedAt = Date.now();
      try {
        const response = await fetch(this.url, { signal: AbortSignal.timeout(this.options.timeoutMs) });
        if (!response.ok) return false;
        const jwks = (await response.json()) as JSONWebKeySet;
        if (!Array.isArray(jwks?.keys)) return false;
        this.local = createLocalJWKSet(jwks);
        this.kids = new Set(jwks.keys.flatMap((key) => (typeof key.kid === "string" ? [key.kid] : [])));
        this.fetchedAt = Date.now();
        return true;
      } catch {
        return false;
      } finally {
        this.fetching = undefined;
      }
    })();
    return this.fetching;
  }
}
