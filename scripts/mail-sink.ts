/**
 * A development SMTP sink for `bun run start` on a machine without Docker (compose uses Mailpit):
 * accepts every message on SMTP_SINK_PORT (1025) and keeps the newest MAIL_SINK_KEEP (1 000) of them
 * as .eml files under MAIL_SINK_DIR (.data/mail), logging one JSON line per message. Older ones are
 * deleted, as Mailpit keeps only its newest 500: a load test's emails (one per order) do not fill
 * the disk. Not for production: it accepts anything from anyone on loopback.
 */
import { mkdirSync, readdirSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";

const port = Number(process.env.SMTP_SINK_PORT ?? 1025);
const dir = process.env.MAIL_SINK_DIR ?? join(import.meta.dir, "..", ".data", "mail");
const keep = Number(process.env.MAIL_SINK_KEEP ?? 1_000);
mkdirSync(dir, { recursive: true });

const log = (fields: Record<string, unknown>) =>
  console.log(JSON.stringify({ level: "info", time: new Date().toISOString(), service: "mail", ...fields }));

// The names start with the time of arrival, so sorted by name they are oldest first.
const kept = readdirSync(dir)
  .filter((name) => name.endsWith(".eml"))
  .sort();
let deleting = Promise.resolve();
/** Deletes the oldest files beyond `keep`, one after the other (a backlog left by an older sink too). */
function deleteOldest(): void {
  const excess = kept.splice(0, Math.max(0, kept.length - keep));
  if (excess.length === 0) return;
  deleting = deleting.then(async () => {
    for (const name of excess) await unlink(join(dir, name)).catch(() => {});
  });
}
deleteOldest();

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
      deleteOldest();
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
