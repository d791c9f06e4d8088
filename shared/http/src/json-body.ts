/**
 * JSON request bodies, parsed defensively: nesting is measured before JSON.parse (a document of
 * 100,000 brackets costs a deep stack in the parser and every walk after it, not many bytes), and
 * NUL characters, which no store of ours accepts (Postgres refuses them in text), are found with
 * the field that holds them.
 */
import { AppError, type FieldError } from "@platform/errors";

/** Deeper than any body of the API (an order is three levels) by a wide margin. */
export const MAX_JSON_DEPTH = 32;

export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (nestingExceeds(text, maxDepth)) {
    throw new AppError("MALFORMED_REQUEST", `The JSON body is nested deeper than ${maxDepth} levels.`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("MALFORMED_REQUEST", "The request body is not valid JSON.");
  }
}

/** Whether brackets outside strings nest deeper than maxDepth; one pass, no recursion. */
export function nestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Every field (dotted path) whose string value holds a NUL character, in a parsed body or a query. */
export function fieldsWithNul(value: unknown, path = ""): FieldError[] {
  if (typeof value === "string") {
    return value.includes("\u0000")
      ? [{ field: path || "body", message: "must not contain NUL characters" }]
      : [];
  }
  if (value === null || typeof value !== "object") return [];
  const found: FieldError[] = [];
  for (const [key, item] of Object.entries(value)) {
    const keyPath = path ? `${path}.${key}` : key;
    if (key.includes("\u0000")) found.push({ field: keyPath, message: "must not contain NUL characters" });
    found.push(...fieldsWithNul(item, keyPath));
  }
  return found;
}
