/**
 * Opaque page cursors (`?cursor=` / `nextCursor`): base64url JSON of where the last page ended. A
 * cursor that does not decode to what the list expects is a 422 naming the field, not a 500.
 */
import { AppError } from "@platform/errors";

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

export function decodeCursor<T>(cursor: string, isPosition: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString());
  } catch {
    value = undefined;
  }
  if (!isPosition(value)) {
    throw new AppError("VALIDATION_FAILED", "The cursor is not one this API gave out.", {
      errors: [{ field: "cursor", message: "invalid cursor" }],
    });
  }
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === "string" && UUID.test(value);
