/**
 * A development SMTP sink for `bun run start` on a machine without Docker (compose uses Mailpit):
 * accepts every message on SMTP_SINK_PORT (1025) and keeps it as an .eml file under .data/mail,
 * logging one JSON line per message. Not for production: it accepts anything from anyone on loopback.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";

const port = Number(process.env.SMTP_SINK_PORT ?? 1025);
const dir = join(import.meta.dir, "..", ".data", "mail");
mkdirSync(dir, { recursive: true });

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", async () => {
      const raw = Buffer.concat(chunks);
      const file = join(dir, `${new Date().toISOString().replaceAll(":", "-")}-${session.id}.eml`);
      await Bun.write(file, raw);
      const subject = raw.toString("utf8").match(/^Subject: (.*)$/m)?.[1] ?? "";
      const to = session.envelope.rcptTo.map((r) => r.address).join(", ");
      console.log(
        JSON.stringify({
          level: "info",
          time: new Date().toISOString(),
          service: "mail",
          to,
          subject,
          file,
          msg: "mail received",
        }),
      );
      callback();
    });
  },
});
server.listen(port, "127.0.0.1", () => {
  console.log(
    JSON.stringify({
      level: "info",
      time: new Date().toISOString(),
      service: "mail",
      port,
      dir,
      msg: "listening",
    }),
  );
});
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => server.close(() => process.exit(0)));
