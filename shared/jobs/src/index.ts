export { backoffDelay, PollingLoop, type PollingLoopOptions } from "./polling-loop.js";
export { type RetentionJobOptions, retentionJob } from "./retention-job.js";
export { reusedFor } from "./reused-for.js";
export { type WaitOptions, waitForDependency } from "./wait-for-dependency.js";
export { within } from "./within.js";
