export { assertAdmin, requireAuth } from "./require-auth.js";
export {
  type Revocation,
  type RevocationCheck,
  RevocationList,
  type RevocationOptions,
  revoke,
  tokenIssueDelayMs,
  userRevokedAt,
} from "./revocations.js";
export {
  bearerToken,
  createTokenVerifier,
  MAX_ACCESS_TOKEN_TTL_SECONDS,
  type Principal,
  type Role,
  startVerifier,
  TOKEN_ALGORITHM,
  type TokenVerifier,
  type TokenVerifierOptions,
  verifierFromConfig,
} from "./verifier.js";
