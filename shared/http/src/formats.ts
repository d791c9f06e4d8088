/**
 * Elysia registers TypeBox's string formats when it loads; its `uuid` also takes the URN form
 * (`urn:uuid:…`), which Postgres refuses as a uuid: a filter so written passed validation and
 * failed in the query, a 500. Every API here means the bare 36 characters, as `isUuid` does.
 */
import { FormatRegistry } from "@sinclair/typebox";
import "elysia";
import { isUuid } from "./cursor.js";

FormatRegistry.Set("uuid", isUuid);
