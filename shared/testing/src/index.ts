export { type TestInfra, testInfra } from "./infra.js";
export { eventually, uniqueName } from "./names.js";
