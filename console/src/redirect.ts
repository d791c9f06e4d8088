/** Where to go after logging in: the `?redirect=` path the login page was sent with, if it is ours. */
export function redirectTarget(redirect: unknown): string {
  return typeof redirect === "string" && redirect.startsWith("/") && !redirect.startsWith("//")
    ? redirect
    : "/";
}
