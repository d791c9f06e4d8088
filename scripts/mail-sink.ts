/**
 * A development SMTP sink for `bun run start` on a machine without Docker (compose uses Mailpit):
 * accepts every message on SMTP_SINK_PORT (1025) and keeps the newest MAIL_SINK_KEEP (1 000) of them
 * as .eml files under MAIL_SINK_DIR (.data/mail), logging one JSON line per message (naming its
 * file). Older ones are overwritten, as Mailpit keeps only its newest 500: a load test's emails (one
 * per order) do not fill the disk. Not for production: it accepts anything from anyone on loopback.
 */
import { mkdirSync, readdirSync, statSync, unlinkSync } from "node:fs";
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

// The newest `keep` messages, in `keep` slots written in turn: a new message overwrites the oldest
// (cheaper than a new file and a deletion). The newest is the one last written: `ls -t`.
const width = String(keep - 1).length;
const slotName = (slot: number) => `mail-${String(slot).padStart(width, "0")}.eml`;
let next = 0;
let newest = -1;
for (let slot = 0; slot < keep; slot++) {
  const written = statSync(join(dir, slotName(slot)), { throwIfNoEntry: false });
  if (written && written.mtimeMs > newest) [newest, next] = [written.mtimeMs, (slot + 1) % keep];
}
// Files not in today's slots (an older sink's, hundreds of thousands after a load test; a larger
// MAIL_SINK_KEEP's), deleted a thousand at a time between messages.
const names = new Set(Array.from({ length: keep }, (_, slot) => slotName(slot)));
const stale = readdirSync(dir).filter((name) => name.endsWith(".eml") && !names.has(name));
let deleted = 0;
const deleteStale = () => {
  for (const end = Math.min(stale.length, deleted + 1_000); deleted < end; deleted++) {
    try {
      unlinkSync(join(dir, stale[deleted] as string));
    } catch {
      // gone already
    }
  }
  if (deleted < stale.length) setTimeout(deleteStale, 0);
};
deleteStale();

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", async () => {
      const raw = Buffer.concat(chunks);
      const file = join(dir, slotName(next));
      next = (next + 1) % keep;
      await Bun.write(file, raw);
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
