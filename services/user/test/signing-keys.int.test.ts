import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenVerifier } from "@platform/auth";
import { createLogger } from "@platform/logging";
import { exportPKCS8, exportSPKI, generateKeyPair, importJWK } from "jose";
import { loadSigningKeys } from "../src/auth/signing-keys.js";
import { issueAccessToken } from "../src/auth/tokens.js";

const logger = createLogger({ service: "user", level: "silent" });
const settings = { issuer: "iss", audience: "aud", ttlSeconds: 600, refreshTtlSeconds: 3600 };
const user = {
  id: "01900000-0000-7000-8000-000000000001",
  email: "k@example.com",
  name: "K",
  phone: null,
  role: "user" as const,
  status: "active" as const,
  notificationPreferences: { email: true, sms: true, webhook: true },
  createdAt: new Date(),
};

describe("signing keys", () => {
  test("a development key is generated once (mode 0600) and reused, so tokens survive a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keys-"));
    const source = { KEYS_DIR: dir, JWT_PREVIOUS_PUBLIC_KEY_FILES: "" };
    const first = await loadSigningKeys(source, logger);
    const token = await issueAccessToken(first, settings, user, "session-1");
    const restarted = await loadSigningKeys(source, logger);
    expect(restarted.kid).toBe(first.kid);
    expect(statSync(join(dir, "user-jwt-ed25519.pem")).mode & 0o777).toBe(0o600);
    const verifier = createTokenVerifier({ keys: { jwks: restarted.jwks }, issuer: "iss", audience: "aud" });
    expect((await verifier.verify(token.accessToken)).userId).toBe(user.id);
  });

  test("rotation: the JWKS publishes the new and the previous key; old tokens verify until they expire", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keys-"));
    const old = await loadSigningKeys({ KEYS_DIR: dir, JWT_PREVIOUS_PUBLIC_KEY_FILES: "" }, logger);
    const oldToken = await issueAccessToken(old, settings, user, "session-1");
    const oldPublic = join(dir, "old.pub.pem");
    const oldPublicJwk = old.jwks.keys[0];
    if (!oldPublicJwk) throw new Error("no public key in the JWKS");
    writeFileSync(
      oldPublic,
      await exportSPKI((await importJWK(oldPublicJwk, "EdDSA", { extractable: true })) as CryptoKey),
    );

    const { privateKey } = await generateKeyPair("EdDSA", { extractable: true });
    const rotated = await loadSigningKeys(
      {
        JWT_PRIVATE_KEY: await exportPKCS8(privateKey),
        KEYS_DIR: dir,
        JWT_PREVIOUS_PUBLIC_KEY_FILES: oldPublic,
      },
      logger,
    );
    expect(rotated.kid).not.toBe(old.kid);
    expect(rotated.jwks.keys.map((k) => k.kid)).toEqual([rotated.kid, old.kid]);
    expect(JSON.stringify(rotated.jwks)).not.toContain('"d"');
    const verifier = createTokenVerifier({ keys: { jwks: rotated.jwks }, issuer: "iss", audience: "aud" });
    expect((await verifier.verify(oldToken.accessToken)).userId).toBe(user.id);
    const newToken = await issueAccessToken(rotated, settings, user, "session-1");
    expect((await verifier.verify(newToken.accessToken)).userId).toBe(user.id);
    expect(readFileSync(oldPublic, "utf8")).toStartWith("-----BEGIN PUBLIC KEY-----");
  });
});
