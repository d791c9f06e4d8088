/**
 * The status a request was answered with, as the after-response hooks see it. Hooks pass the parts,
 * never their whole context: Elysia reads a hook's source to decide what to prepare, and a context
 * handed on whole counts as using the body (which it would then parse, even for the gateway).
 */
export function responseStatus(set: { status?: number | string }, responseValue: unknown): number {
  return responseValue instanceof Response ? responseValue.status : Number(set.status ?? 200);
}
