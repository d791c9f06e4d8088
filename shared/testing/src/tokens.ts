/**
 * Access tokens for tests of services that verify them: a key pair of its own and a signer with the
 * user service's claim set. The service under test gets the JWKS as its verifier's key set; the
 * user service's own tests cover minting.
 */
import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from "jose";

export interface TestTokens {
  jwks: JSONWebKeySet;
  issuer: string;
  audience: string;
  /** A valid token for this principal. */
  sign(principal: { userId: string; email?: string; role?: "user" | "admin" }): Promise<string>;
}

export async function testTokens(
  issuer = "order-platform/user",
  audience = "order-platform",
): Promise<TestTokens> {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { extractable: true });
  const kid = "test-key";
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" }] };
  return {
    jwks,
    issuer,
    audience,
    sign: ({ userId, email = `${userId}@example.com`, role = "user" }) =>
      new SignJWT({ email, role })
        .setProtectedHeader({ alg: "EdDSA", kid })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime("10m")
        .sign(privateKey),
  };
}
