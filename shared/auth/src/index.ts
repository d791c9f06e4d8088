export { assertAdmin, requireAuth } from "./require-auth.js";
export {
  bearerToken,
  createTokenVerifier,
  type Principal,
  type Role,
  TOKEN_ALGORITHM,
  type TokenVerifier,
  type TokenVerifierOptions,
  verifierFromConfig,
} from "./verifier.js";
