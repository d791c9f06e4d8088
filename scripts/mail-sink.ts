/**
 * A development SMTP sink for `bun run start` on a machine without Docker (compose uses Mailpit):
 * accepts every message on SMTP_SINK_PORT (1025) and keeps the newest MAIL_SINK_KEEP (1 000) of them
 * as .eml files under MAIL_SINK_DIR (.data/mail), logging one JSON line per message. Older ones are
 * deleted, as Mailpit keeps only its newest 500: a load test's emails (one per order) do not fill
 * the disk. Not for production: it accepts anything from anyone on loopback.
 */
import { mkdirSync, readdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";

const port = Number(process.env.SMTP_SINK_PORT ?? 1025);
const dir = process.env.MAIL_SINK_DIR ?? join(import.meta.dir, "..", ".data", "mail");
const keep = Number(process.env.MAIL_SINK_KEEP ?? 1_000);
if (!Number.isInteger(keep) || keep < 1)
  throw new Error(`MAIL_SINK_KEEP=${process.env.MAIL_SINK_KEEP}: a whole number, 1 or more`);
mkdirSync(dir, { recursive: true });

const log = (fields: Record<string, unknown>) =>
  console.log(JSON.stringify({ level: "info", time: new Date().toISOString(), service: "mail", ...fields }));

// The names start with the time of arrival, so sorted by name they are oldest first.
const kept = readdirSync(dir)
  .filter((name) => name.endsWith(".eml"))
  .sort();
const forget = (name: string) => {
  try {
    unlinkSync(join(dir, name)); // in step: an asynchronous unlink costs several times more CPU
  } catch {
    // gone already
  }
};
// What an earlier run left beyond `keep` (a load test's, maybe hundreds of thousands), a thousand
// at a time between messages.
const backlog = kept.splice(0, Math.max(0, kept.length - keep));
let deleted = 0;
const deleteBacklog = () => {
  for (const end = Math.min(backlog.length, deleted + 1_000); deleted < end; deleted++)
    forget(backlog[deleted] as string);
  if (deleted < backlog.length) setTimeout(deleteBacklog, 0);
};
deleteBacklog();

let received = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", async () => {
      const raw = Buffer.concat(chunks);
      // A pooled connection sends many messages, several in one millisecond: the count tells them apart.
      const name = `${new Date().toISOString().replaceAll(":", "-")}-${session.id}-${++received}.eml`;
      const file = join(dir, name);
      await Bun.write(file, raw);
      kept.push(name);
      while (kept.length > keep) forget(kept.shift() as string);
      const subject = raw.toString("utf8").match(/^Subject: (.*)$/m)?.[1] ?? "";
      const to = session.envelope.rcptTo.map((r) => r.address).join(", ");
      log({ to, subject, file, msg: "mail received" });
      callback();
    });
  },
});
server.listen(port, "127.0.0.1", () => log({ port, dir, keep, msg: "listening" }));
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => server.close(() => process.exit(0)));
