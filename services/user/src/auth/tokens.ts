/**
 * Tokens: short-lived EdDSA access tokens with the claims every service reads (sub, email, role,
 * sid, jti, iat, exp, iss, aud), and opaque refresh tokens (random, stored only as a SHA-256).
 */
import { MAX_ACCESS_TOKEN_TTL_SECONDS, TOKEN_ALGORITHM } from "@platform/auth";
import { SignJWT } from "jose";
import type { User } from "../domain/user.js";
import type { SigningKeys } from "./signing-keys.js";

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  refreshTtlSeconds: number;
}

export interface AccessToken {
  accessToken: string;
  tokenType: "Bearer";
  expiresIn: number;
}

export interface TokenPair extends AccessToken {
  refreshToken: string;
  refreshExpiresIn: number;
}

export async function issueAccessToken(
  keys: SigningKeys,
  settings: TokenSettings,
  user: User,
  sessionId: string,
): Promise<AccessToken> {
  const ttlSeconds = Math.min(settings.ttlSeconds, MAX_ACCESS_TOKEN_TTL_SECONDS);
  const accessToken = await new SignJWT({ email: user.email, role: user.role, sid: sessionId })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: keys.kid, typ: "JWT" })
    .setSubject(user.id)
    .setJti(Bun.randomUUIDv7())
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(keys.privateKey);
  return { accessToken, tokenType: "Bearer", expiresIn: ttlSeconds };
}

/** A new refresh token: 256 random bits, base64url. */
export function newRefreshToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/** What is stored of a refresh token: a lookup needs no salt (the token is random, not a password). */
export const hashRefreshToken = (token: string): string =>
  new Bun.CryptoHasher("sha256").update(token).digest("hex");
