export { clientIp, limitedNetwork, type TrustedProxies, trustedProxies } from "./client-ip.js";
export { decodeCursor, encodeCursor, isUuid } from "./cursor.js";
export { type HttpKernelOptions, httpKernel } from "./http-kernel.js";
export { createMetrics, type HttpMetrics } from "./metrics.js";
export {
  completeDocument,
  PROBLEM_SCHEMA,
  problemResponses,
  problems,
  type RouteFacts,
} from "./openapi/complete-document.js";
export { type KeysetPageOptions, keysetPage, type Page, PageOf, PageQuery } from "./pagination.js";
export { REQUIRES_TOKEN, routeFacts } from "./plugins/openapi-document.js";
export type { ReadinessCheck, ServiceState } from "./plugins/ops-routes.js";
export { requestContext } from "./plugins/request-ids.js";
export { rawBodyOf } from "./plugins/request-input.js";
export { PROBLEM_CONTENT_TYPE, type Problem, problem, problemResponse } from "./problem.js";
export { readBody } from "./read-body.js";
export { REQUEST_ID_HEADER, resolveRequestId } from "./request-id.js";
export { labelRoute } from "./route-label.js";
export { type RunningService, type ServeOptions, serve } from "./serve.js";
