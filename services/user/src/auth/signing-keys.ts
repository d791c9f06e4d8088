/**
 * The Ed25519 key that signs access tokens, and the JWKS that publishes its public half (plus any
 * previous public keys during a rotation: tokens signed by the old key verify until they expire).
 *
 * The private key comes from JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE. With neither (local runs),
 * one is generated once into KEYS_DIR (git-ignored), so tokens survive a restart.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TOKEN_ALGORITHM } from "@platform/auth";
import { csv } from "@platform/config";
import type { Logger } from "@platform/logging";
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  importSPKI,
  type JSONWebKeySet,
  type JWK,
} from "jose";

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  jwks: JSONWebKeySet;
}

export interface SigningKeySource {
  JWT_PRIVATE_KEY?: string | undefined;
  JWT_PRIVATE_KEY_FILE?: string | undefined;
  JWT_PREVIOUS_PUBLIC_KEY_FILES: string;
  KEYS_DIR: string;
}

const DEV_KEY_FILE = "user-jwt-ed25519.pem";

export async function loadSigningKeys(source: SigningKeySource, logger: Logger): Promise<SigningKeys> {
  const pem =
    source.JWT_PRIVATE_KEY ??
    (source.JWT_PRIVATE_KEY_FILE
      ? readFileSync(source.JWT_PRIVATE_KEY_FILE, "utf8")
      : await devKey(source.KEYS_DIR, logger));
  const privateKey = await importPKCS8(pem, TOKEN_ALGORITHM, { extractable: true });
  const current = await publicJwk(privateKey);
  const previous = await Promise.all(
    csv(source.JWT_PREVIOUS_PUBLIC_KEY_FILES).map(async (file) =>
      publicJwk(await importSPKI(readFileSync(file, "utf8"), TOKEN_ALGORITHM, { extractable: true })),
    ),
  );
  return { kid: current.kid as string, privateKey, jwks: { keys: [current, ...previous] } };
}

/** The public JWK of a key, with its RFC 7638 thumbprint as kid. */
async function publicJwk(key: CryptoKey): Promise<JWK> {
  const { kty, crv, x } = await exportJWK(key);
  const jwk: JWK = { kty, crv, x };
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: TOKEN_ALGORITHM, use: "sig" };
}

async function devKey(dir: string, logger: Logger): Promise<string> {
  const file = join(dir, DEV_KEY_FILE);
  try {
    return readFileSync(file, "utf8");
  } catch {
    mkdirSync(dir, { recursive: true });
    const { privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
    const pem = await exportPKCS8(privateKey);
    try {
      // "wx": two processes starting together keep whichever key was written first.
      writeFileSync(file, pem, { flag: "wx", mode: 0o600 });
      logger.warn(
        { file },
        "generated a development signing key; set JWT_PRIVATE_KEY(_FILE) outside development",
      );
      return pem;
    } catch {
      return readFileSync(file, "utf8");
    }
  }
}
