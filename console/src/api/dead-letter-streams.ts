/**
 * The streams whose dead letters an admin can list and replay. The API takes a stream by the name
 * the platform was configured with: `events:orders`, `events:inventory`, `events:payments` by
 * default, but a platform may prefix them (each end-to-end run does, `e2e_…:events:orders`), and
 * there is no route that lists them. The public OpenAPI document does: it is built live from the
 * services, and the stream parameter's schema lists the names they accept. So the names are read
 * there once, each matched to its default by how it ends, and the defaults stand in when the
 * document cannot be read.
 */
import type { DeadLetterStream } from "./types";

export interface StreamChoice {
  /** What the select shows: the default name (`events:orders`). */
  text: string;
  /** What the API takes: the platform's own name for it. */
  name: DeadLetterStream;
}

const DEFAULT_NAMES = ["events:orders", "events:inventory", "events:payments"] as const;

/** The defaults, cast: the typed client was generated from a platform whose names were prefixed. */
export const DEFAULT_STREAMS: readonly StreamChoice[] = DEFAULT_NAMES.map((text) => ({
  text,
  name: text as DeadLetterStream,
}));

/** Every string a JSON Schema allows by `const` or `enum`, however deep in anyOf/oneOf. */
function allowedValues(schema: unknown): string[] {
  if (typeof schema !== "object" || schema === null) return [];
  const node = schema as { const?: unknown; enum?: unknown };
  const own = [node.const, ...(Array.isArray(node.enum) ? node.enum : [])];
  return [
    ...own.filter((value): value is string => typeof value === "string"),
    ...Object.values(schema).flatMap(allowedValues),
  ];
}

async function readStreams(): Promise<readonly StreamChoice[]> {
  const response = await fetch(new URL("/docs/openapi.json", window.location.origin), {
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`GET /docs/openapi.json answered ${response.status}`);
  const document = await response.json();
  const parameters: Array<{ name?: string; in?: string; schema?: unknown }> =
    document?.paths?.["/api/admin/dead-letters"]?.get?.parameters ?? [];
  const names = allowedValues(parameters.find((p) => p.name === "stream" && p.in === "query")?.schema);
  return DEFAULT_STREAMS.map(({ text, name }) => ({
    text,
    name: (names.find((candidate) => candidate === text || candidate.endsWith(`:${text}`)) ??
      name) as DeadLetterStream,
  }));
}

let known: Promise<readonly StreamChoice[]> | undefined;

/** The streams by the platform's names (read once per page load; the defaults if that fails). */
export function deadLetterStreams(): Promise<readonly StreamChoice[]> {
  known ??= readStreams().catch((error) => {
    console.warn("stream names not read from the API document; using the defaults", error);
    known = undefined; // read again next time
    return DEFAULT_STREAMS;
  });
  return known;
}
