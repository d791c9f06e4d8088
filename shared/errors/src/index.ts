export { isDependencyFailure } from "./dependency-failure.js";
