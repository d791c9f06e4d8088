/**
 * Which methods a path supports, from the app's route table: a request for a path that exists
 * with another method is 405 METHOD_NOT_ALLOWED with `Allow`, not 404.
 */
type RouteTable = Array<{ method: string; path: string }>;

interface CompiledRoute {
  method: string;
  pattern: RegExp;
  /** Path parameters: the router prefers a static segment ("/users/me") to a parameter ("/users/:id"). */
  parameters: number;
}

const compile = (path: string): RegExp =>
  new RegExp(
    `^${path
      .split("/")
      .map((segment) =>
        segment === "*"
          ? ".*"
          : segment.startsWith(":")
            ? "[^/]+"
            : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("/")}/?$`,
  );

export function allowedMethodsOf(app: { getGlobalRoutes(): RouteTable }) {
  let compiled: CompiledRoute[] = [];
  let compiledCount = -1;
  return (path: string): string[] => {
    const routes = app.getGlobalRoutes();
    if (routes.length !== compiledCount) {
      compiled = routes.map((route) => ({
        method: route.method,
        pattern: compile(route.path),
        parameters: route.path.split("/").filter((s) => s.startsWith(":") || s === "*").length,
      }));
      compiledCount = routes.length;
    }
    const matching = compiled.filter((route) => route.pattern.test(path));
    const fewest = Math.min(...matching.map((route) => route.parameters));
    const methods = new Set(matching.filter((r) => r.parameters === fewest).map((route) => route.method));
    if (methods.has("ALL")) return [];
    return [...methods].sort();
  };
}
