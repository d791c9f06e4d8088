/**
 * The envelope of every domain event (ARCHITECTURE §3), and its encoding as a Redis Streams entry:
 * flat fields id, type, version, occurredAt, requestId, payload (JSON), and `traceparent` when the
 * event was made inside a trace (ARCHITECTURE §10).
 */
import { traceparentOf } from "@platform/telemetry";

export interface DomainEvent<P = unknown> {
  /** UUIDv7: the event's identity; consumers deduplicate on it. */
  id: string;
  /** Past tense, dotted: order.created, stock.low. */
  type: string;
  /** Schema version of the payload. */
  version: number;
  /** ISO-8601 UTC. */
  occurredAt: string;
  requestId: string;
  payload: P;
  /** W3C trace context of where the event was made (or relayed), so its consumers continue the trace. */
  traceparent?: string;
}

export function newEvent<P>(
  type: string,
  payload: P,
  { requestId, version = 1 }: { requestId: string; version?: number },
): DomainEvent<P> {
  const traceparent = traceparentOf();
  return {
    id: Bun.randomUUIDv7(),
    type,
    version,
    occurredAt: new Date().toISOString(),
    requestId,
    payload,
    ...(traceparent ? { traceparent } : {}),
  };
}

/** An entry that cannot be read as a DomainEvent: retrying will not help, it ends in the DLQ. */
export class MalformedEventError extends Error {
  override readonly name: string = "MalformedEventError";
}

export function toStreamFields(event: DomainEvent): string[] {
  const fields = [
    "id",
    event.id,
    "type",
    event.type,
    "version",
    String(event.version),
    "occurredAt",
    event.occurredAt,
    "requestId",
    event.requestId,
    "payload",
    JSON.stringify(event.payload),
  ];
  if (event.traceparent) fields.push("traceparent", event.traceparent);
  return fields;
}

/** Redis returns an entry's fields as [name, value, name, value, ...]. */
export function fieldsToRecord(fields: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i] as string] = fields[i + 1] as string;
  return record;
}

export function fromStreamFields(fields: readonly string[]): DomainEvent {
  const record = fieldsToRecord(fields);
  const { id, type, version, occurredAt, requestId = "", payload, traceparent } = record;
  if (!id || !type || !version || !occurredAt || payload === undefined) {
    throw new MalformedEventError(
      `entry lacks ${["id", "type", "version", "occurredAt", "payload"].filter((k) => !record[k]).join(", ")}`,
    );
  }
  // Consumers order and keep events by it (a trail's order, retention): a time, or no event at all.
  if (Number.isNaN(Date.parse(occurredAt)))
    throw new MalformedEventError(`occurredAt ${JSON.stringify(occurredAt)} is not a time`);
  const parsedVersion = Number(version);
  if (!Number.isInteger(parsedVersion))
    throw new MalformedEventError(`version ${JSON.stringify(version)} is not an integer`);
  let parsedPayload: unknown;
  try {
    parsedPayload = JSON.parse(payload);
  } catch {
    throw new MalformedEventError("payload is not JSON");
  }
  return {
    id,
    type,
    version: parsedVersion,
    occurredAt,
    requestId,
    payload: parsedPayload,
    ...(traceparent ? { traceparent } : {}),
  };
}
