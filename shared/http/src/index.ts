export { isDependencyFailure } from "@platform/errors";
export { decodeCursor, encodeCursor, isUuid } from "./cursor.js";
export {
  type HttpKernelOptions,
  httpKernel,
  type ReadinessCheck,
  requestContext,
  type ServiceState,
} from "./http-kernel.js";
export { createMetrics, type HttpMetrics } from "./metrics.js";
export {
  AppError,
  dependencyUnavailable,
  type FieldError,
  forbidden,
  notFound,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  type ProblemCode,
  problem,
  problemResponse,
  unauthenticated,
} from "./problem.js";
export { REQUEST_ID_HEADER, resolveRequestId } from "./request-id.js";
export { type RunningService, type ServeOptions, serve } from "./serve.js";
