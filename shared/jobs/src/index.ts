export { backoffDelay, PollingLoop, type PollingLoopOptions } from "./polling-loop.js";
