import { afterAll, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { createTokenVerifier, requireAuth } from "../src/index.js";

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" };
  return { privateKey, jwk, kid };
}

const sign = (key: { privateKey: CryptoKey; kid: string }, role = "user") =>
  new SignJWT({ email: "a@example.com", role })
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid })
    .setSubject("user-1")
    .setIssuer("iss")
    .setAudience("aud")
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(key.privateKey);

// A JWKS endpoint on a real socket whose key set the test changes, as a rotation would.
let published: JWK[] = [];
let fetches = 0;
const jwksServer = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch: () => {
    fetches++;
    return Response.json({ keys: published });
  },
});
afterAll(() => jwksServer.stop(true));

describe("createTokenVerifier with a remote JWKS", () => {
  test("caches the key set, and refetches it when a token names an unknown kid", async () => {
    const oldKey = await keyPair("old");
    const newKey = await keyPair("new");
    published = [oldKey.jwk];
    const verifier = createTokenVerifier({
      keys: { jwksUrl: `http://127.0.0.1:${jwksServer.port}/jwks.json` },
      issuer: "iss",
      audience: "aud",
      jwksCooldownMs: 0,
    });
    expect(await verifier.verify(await sign(oldKey))).toMatchObject({
      userId: "user-1",
      email: "a@example.com",
      role: "user",
    });
    await verifier.verify(await sign(oldKey));
    expect(fetches).toBe(1);

    published = [newKey.jwk, oldKey.jwk];
    expect((await verifier.verify(await sign(newKey, "admin"))).role).toBe("admin");
    expect(fetches).toBe(2);
  });

  test("a token whose role is not one of the platform's is rejected", async () => {
    const key = await keyPair("k");
    published = [key.jwk];
    const verifier = createTokenVerifier({
      keys: { jwksUrl: `http://127.0.0.1:${jwksServer.port}/jwks.json` },
      issuer: "iss",
      audience: "aud",
    });
    await expect(verifier.verify(await sign(key, "superuser"))).rejects.toMatchObject({ status: 401 });
  });

  test("a token issued longer ago than the tokens' lifetime is refused, whatever its exp says", async () => {
    const key = await keyPair("age");
    published = [key.jwk];
    const verifier = createTokenVerifier({
      keys: { jwksUrl: `http://127.0.0.1:${jwksServer.port}/jwks.json` },
      issuer: "iss",
      audience: "aud",
      maxTokenAgeSeconds: 900,
      clockToleranceSeconds: 0,
    });
    const issuedAgo = (seconds: number) =>
      new SignJWT({ email: "a@example.com", role: "user" })
        .setProtectedHeader({ alg: "EdDSA", kid: key.kid })
        .setSubject("user-1")
        .setIssuer("iss")
        .setAudience("aud")
        .setIssuedAt(Math.floor(Date.now() / 1000) - seconds)
        .setExpirationTime("1h") // longer than the platform's tokens live: revocations are forgotten sooner
        .sign(key.privateKey);
    expect((await verifier.verify(await issuedAgo(600))).userId).toBe("user-1");
    await expect(verifier.verify(await issuedAgo(1_000))).rejects.toMatchObject({ status: 401 });
  });
});

describe("requireAuth", () => {
  test("gives the handler the principal, and ends requests without a valid token with 401", async () => {
    const key = await keyPair("k2");
    const verifier = createTokenVerifier({
      keys: { jwks: { keys: [key.jwk] } },
      issuer: "iss",
      audience: "aud",
    });
    const app = new Elysia().use(requireAuth(verifier)).get("/who", ({ principal }) => principal);
    const ok = await app.handle(
      new Request("http://localhost/who", { headers: { authorization: `Bearer ${await sign(key)}` } }),
    );
    expect(await ok.json()).toMatchObject({ userId: "user-1", email: "a@example.com", role: "user" });
    const missing = await app.handle(new Request("http://localhost/who"));
    expect(missing.status).toBe(401);
  });
});
