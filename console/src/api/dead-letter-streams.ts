/**
 * The streams whose dead letters an admin can list and replay. The API names a stream by what it
 * carries (`orders`, `inventory`, `payments`), whatever key a deployment gives it.
 */
import type { DeadLetterStream } from "./types";

interface StreamChoice {
  /** What the select shows. */
  text: string;
  /** What the API takes. */
  name: DeadLetterStream;
}

export const DEAD_LETTER_STREAMS: readonly StreamChoice[] = [
  { text: "Orders", name: "orders" },
  { text: "Inventory", name: "inventory" },
  { text: "Payments", name: "payments" },
];
