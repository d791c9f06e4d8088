/**
 * A development SMS sink, the text-message counterpart of the SMTP sink: the notification service's
 * SMS provider (SMS_URL) posts here instead of to a real gateway. `bun run start` starts it on
 * http://127.0.0.1:8026 (PORT), compose runs it as `sms-sink`, and the end-to-end suite starts one
 * per platform.
 *
 *   POST /messages {to, body, reference}  201 {id}; the same reference again is 200 with the first
 *                                         message's id and stores nothing new (a retried delivery is
 *                                         one text, as with a provider's idempotency key) but counts
 *                                         it in the message's `posts`, so a test can tell
 *   GET  /messages?to=                    the messages received, newest first (the last 1 000)
 *   GET  /health, /ready                  200
 *
 * One JSON log line per message (number and text included). Not for production: it accepts anything
 * from anyone it can reach, and lists every message to anyone; keep it on loopback (HOST defaults to
 * 127.0.0.1; compose publishes it on loopback only).
 */

const port = Number(process.env.PORT ?? 8026);
const hostname = process.env.HOST ?? "127.0.0.1";
/** Kept in memory, oldest dropped first: a sink, not a store. */
const KEEP = 1_000;
const E164 = /^\+[1-9][0-9]{6,14}$/;

interface TextMessage {
  id: string;
  to: string;
  body: string;
  reference: string;
  receivedAt: string;
  /** How many times it was posted (more than 1: the sender repeated itself). */
  posts: number;
}

const messages: TextMessage[] = [];
const byReference = new Map<string, TextMessage>();

const log = (fields: Record<string, unknown>, msg: string) =>
  console.log(
    JSON.stringify({ level: "info", time: new Date().toISOString(), service: "sms", ...fields, msg }),
  );

const problem = (status: number, detail: string) =>
  Response.json(
    { type: "about:blank", title: "Invalid message", status, detail },
    { status, headers: { "content-type": "application/problem+json" } },
  );

/** The message a POST carries, or what is wrong with it. */
function readMessage(body: unknown): Pick<TextMessage, "to" | "body" | "reference"> | string {
  const { to, body: text, reference } = (body ?? {}) as Record<string, unknown>;
  if (typeof to !== "string" || !E164.test(to)) return "`to` must be an E.164 number";
  if (typeof text !== "string" || text.length === 0 || text.length > 1_600)
    return "`body` must be 1 to 1 600 characters";
  if (typeof reference !== "string" || reference.length === 0 || reference.length > 200)
    return "`reference` must be 1 to 200 characters";
  return { to, body: text, reference };
}

function receive(message: Pick<TextMessage, "to" | "body" | "reference">): {
  stored: TextMessage;
  duplicate: boolean;
} {
  const known = byReference.get(message.reference);
  if (known) {
    known.posts++;
    log({ id: known.id, reference: known.reference, posts: known.posts }, "sms repeated");
    return { stored: known, duplicate: true };
  }
  const stored = { id: crypto.randomUUID(), ...message, receivedAt: new Date().toISOString(), posts: 1 };
  messages.unshift(stored);
  byReference.set(stored.reference, stored);
  for (const dropped of messages.splice(KEEP)) byReference.delete(dropped.reference);
  log({ id: stored.id, to: stored.to, reference: stored.reference, body: stored.body }, "sms received");
  return { stored, duplicate: false };
}

const server = Bun.serve({
  port,
  hostname,
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/health" || url.pathname === "/ready") return Response.json({ status: "ok" });
    if (url.pathname !== "/messages") return problem(404, "No such path.");
    if (request.method === "GET") {
      const to = url.searchParams.get("to");
      return Response.json({ messages: to ? messages.filter((m) => m.to === to) : messages });
    }
    if (request.method !== "POST")
      return new Response(null, { status: 405, headers: { allow: "GET, POST" } });
    const parsed = readMessage(await request.json().catch(() => undefined));
    if (typeof parsed === "string") return problem(422, parsed);
    const { stored, duplicate } = receive(parsed);
    return Response.json({ id: stored.id }, { status: duplicate ? 200 : 201 });
  },
});
log({ port: server.port }, "listening");

for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    server.stop();
    process.exit(0);
  });
