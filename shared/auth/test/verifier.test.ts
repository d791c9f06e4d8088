import { afterAll, describe, expect, test } from "bun:test";
import { eventually } from "@platform/testing";
import { Elysia } from "elysia";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { createTokenVerifier, requireAuth } from "../src/index.js";

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" };
  return { privateKey, jwk, kid };
}

const sign = (key: { privateKey: CryptoKey; kid: string }, role = "user", subject = "user-1") =>
  new SignJWT({ email: "a@example.com", role })
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid })
    .setSubject(subject)
    .setIssuer("iss")
    .setAudience("aud")
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(key.privateKey);

// A JWKS endpoint on a real socket whose key set the test changes, as a rotation would.
let published: JWK[] = [];
let fetches = 0;
/** The user service away: its JWKS answers 503. */
let away = false;
const jwksServer = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch: () => {
    fetches++;
    if (away) return new Response("unavailable", { status: 503 });
    return Response.json({ keys: published });
  },
});
const jwksUrl = () => `http://127.0.0.1:${jwksServer.port}/jwks.json`;
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

  test("a key taken out of the set (a rotation after a leak) stops verifying at the next refresh, remembered tokens too", async () => {
    const leaked = await keyPair("leaked");
    const fresh = await keyPair("fresh");
    published = [leaked.jwk];
    const verifier = createTokenVerifier({
      keys: { jwksUrl: jwksUrl() },
      issuer: "iss",
      audience: "aud",
      jwksRefreshMs: 0, // every verification refreshes in the background
      jwksCooldownMs: 0,
    });
    const stolen = await sign(leaked);
    expect((await verifier.verify(stolen)).userId).toBe("user-1"); // remembered from now on

    published = [fresh.jwk]; // rotated without keeping the leaked key
    // Only the remembered token comes: its verifications alone keep the key set fresh.
    await eventually("the stolen token refused", () =>
      verifier.verify(stolen).then(
        () => false,
        (error: { status?: number }) => error.status === 401,
      ),
    );
    expect((await verifier.verify(await sign(fresh))).userId).toBe("user-1");
  });

  test("with the user service away the last keys fetched still verify; a token of a key they lack is 503, not 401", async () => {
    const key = await keyPair("kept");
    published = [key.jwk];
    const verifier = createTokenVerifier({
      keys: { jwksUrl: jwksUrl() },
      issuer: "iss",
      audience: "aud",
      jwksRefreshMs: 0,
      jwksCooldownMs: 0,
    });
    await verifier.verify(await sign(key));
    away = true;
    try {
      const before = fetches;
      // Tokens not seen before, signed with a key the verifier holds: verified while the refresh
      // each one starts fails.
      expect((await verifier.verify(await sign(key, "admin"))).role).toBe("admin");
      await eventually("a refresh tried", () => fetches > before);
      expect((await verifier.verify(await sign(key, "user", "user-2"))).userId).toBe("user-2");
      const unknown = await keyPair("unknown");
      await expect(verifier.verify(await sign(unknown))).rejects.toMatchObject({
        status: 503,
        code: "DEPENDENCY_UNAVAILABLE",
      });
    } finally {
      away = false;
    }
  });

  test("a token that names no key, or whose header does not parse, is 401", async () => {
    const key = await keyPair("named");
    published = [key.jwk]; // one key: jose alone would match a token naming none to it
    const verifier = createTokenVerifier({ keys: { jwksUrl: jwksUrl() }, issuer: "iss", audience: "aud" });
    const unnamed = await new SignJWT({ email: "a@example.com", role: "user" })
      .setProtectedHeader({ alg: "EdDSA" })
      .setSubject("user-1")
      .setIssuer("iss")
      .setAudience("aud")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key.privateKey);
    for (const token of [unnamed, "not.a.token", "%%%.x.y"]) {
      await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401 });
    }
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
