/** GET /.well-known/jwks.json: the public keys every service verifies tokens with. */
import { Elysia } from "elysia";
import type { SigningKeys } from "../auth/signing-keys.js";
import { JwksSchema } from "./schemas.js";

export function jwksRoutes({ keys }: { keys: SigningKeys }) {
  return new Elysia({ tags: ["auth"] }).get(
    "/.well-known/jwks.json",
    ({ set }) => {
      set.headers["cache-control"] = "public, max-age=300";
      return keys.jwks;
    },
    { response: { 200: JwksSchema }, detail: { summary: "Public signing keys (JWKS)" } },
  );
}
