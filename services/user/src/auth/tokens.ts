/** Access tokens: EdDSA JWTs with the claims every service reads (sub, email, role, iat, exp, iss, aud). */
import { TOKEN_ALGORITHM } from "@platform/auth";
import { SignJWT } from "jose";
import type { User } from "../domain/user.js";
import type { SigningKeys } from "./signing-keys.js";

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessToken {
  accessToken: string;
  tokenType: "Bearer";
  expiresIn: number;
}

export async function issueAccessToken(
  keys: SigningKeys,
  settings: TokenSettings,
  user: User,
): Promise<AccessToken> {
  const accessToken = await new SignJWT({ email: user.email, role: user.role })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: keys.kid, typ: "JWT" })
    .setSubject(user.id)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(`${settings.ttlSeconds}s`)
    .sign(keys.privateKey);
  return { accessToken, tokenType: "Bearer", expiresIn: settings.ttlSeconds };
}
