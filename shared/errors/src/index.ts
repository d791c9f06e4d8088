export {
  AppError,
  dependencyUnavailable,
  ERROR_STATUS,
  type ErrorCode,
  type ErrorExtensions,
  type FieldError,
  forbidden,
  notFound,
  unauthenticated,
  validationFailed,
} from "./app-error.js";
export { isDependencyFailure } from "./dependency-failure.js";
