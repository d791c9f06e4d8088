/**
 * RFC 9457 problems as the console shows them to people: the `detail` in words, field errors next
 * to their fields. Anything that is not a problem (no answer at all, a proxy's HTML page) becomes
 * one here, so every screen handles a single shape.
 */
import type { components } from "@platform/api-client";

type FieldError = { field: string; message: string };

/** A problem as answered, or one made up here for a failure that had no problem body. */
export type Problem = Omit<components["schemas"]["Problem"], "code" | "type"> & {
  type?: string;
  code: string;
  /** Extension members (INSUFFICIENT_STOCK's `short`, ...). */
  [extension: string]: unknown;
};

const isProblem = (value: unknown): value is Problem =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { detail?: unknown }).detail === "string" &&
  typeof (value as { status?: unknown }).status === "number";

/** The request never got an answer (offline, the gateway down, a dropped connection). */
export const unreachable = (): Problem => ({
  title: "Unreachable",
  status: 0,
  code: "NETWORK",
  detail: "The platform could not be reached. Check your connection and try again.",
  requestId: "",
});

/** The problem an answer carries, or one that says what happened in words. */
export function problemOf(error: unknown, response?: Response): Problem {
  if (isProblem(error)) return error;
  const status = response?.status ?? 0;
  if (status === 0) return unreachable();
  return {
    title: response?.statusText || "Error",
    status,
    code: status >= 500 ? "INTERNAL" : "UNEXPECTED",
    detail:
      status >= 500
        ? `The platform could not answer (HTTP ${status}). Try again in a moment.`
        : `The request was refused (HTTP ${status}).`,
    requestId: response?.headers.get("x-request-id") ?? "",
  };
}

/** The message for one field (a dotted path such as `items.0.quantity`), if the problem names it. */
export function fieldMessage(problem: Problem | null | undefined, field: string): string | undefined {
  return problem?.errors?.find((error) => error.field === field)?.message;
}

/** Field errors not shown beside any of the given fields (so they are not lost). */
export function otherFieldErrors(
  problem: Problem | null | undefined,
  shown: readonly string[],
): FieldError[] {
  return (problem?.errors ?? []).filter((error) => !shown.includes(error.field));
}
