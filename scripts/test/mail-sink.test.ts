/**
 * The development SMTP sink (scripts/mail-sink.ts), run as `bun run start` runs it and spoken to over
 * SMTP on a real socket: every message of a pooled connection is kept, in a file of its own, and
 * only the newest MAIL_SINK_KEEP stay on disk (older ones are overwritten; those an earlier run
 * left are deleted).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "mail-sink-"));
const KEEP = 3;
let sink: ReturnType<typeof Bun.spawn>;
let port: number;

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  // Two messages an earlier run left behind.
  writeFileSync(join(dir, "2000-01-01T00-00-00.000Z-earlier-1.eml"), "Subject: earlier 1\r\n\r\nold\r\n");
  writeFileSync(join(dir, "2000-01-01T00-00-00.000Z-earlier-2.eml"), "Subject: earlier 2\r\n\r\nold\r\n");
  port = await freePort();
  sink = Bun.spawn(["bun", join(root, "scripts", "mail-sink.ts")], {
    env: { ...process.env, SMTP_SINK_PORT: String(port), MAIL_SINK_DIR: dir, MAIL_SINK_KEEP: String(KEEP) },
    stdout: "pipe",
    stderr: "inherit",
  });
  // Its first line says it is listening.
  const reader = (sink.stdout as ReadableStream<Uint8Array>).getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toContain('"msg":"listening"');
  reader.releaseLock();
});

afterAll(() => {
  sink.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** One SMTP session: greeting, EHLO, then each message as MAIL, RCPT, DATA, body; each reply awaited. */
async function sendOverOneConnection(subjects: string[]): Promise<void> {
  const socket: Socket = connect(port, "127.0.0.1");
  let buffered = "";
  const waiting: ((line: string) => void)[] = [];
  socket.setEncoding("utf8");
  socket.on("data", (data: string) => {
    buffered += data;
    // A reply ends with a line "NNN text" (a space after the code); "NNN-text" lines continue it.
    for (let end = buffered.search(/^\d{3} .*\r\n/m); end !== -1; end = buffered.search(/^\d{3} .*\r\n/m)) {
      const lineEnd = buffered.indexOf("\r\n", end) + 2;
      const reply = buffered.slice(end, lineEnd);
      buffered = buffered.slice(lineEnd);
      waiting.shift()?.(reply);
    }
  });
  const reply = () => new Promise<string>((resolve) => waiting.push(resolve));
  const command = async (line: string, code: string) => {
    const answer = reply();
    socket.write(`${line}\r\n`);
    expect(await answer).toStartWith(code);
  };
  expect(await reply()).toStartWith("220");
  await command("EHLO test", "250");
  for (const subject of subjects) {
    await command("MAIL FROM:<orders@example.com>", "250");
    await command("RCPT TO:<customer@example.com>", "250");
    await command("DATA", "354");
    await command(`Subject: ${subject}\r\n\r\nHello.\r\n.`, "250");
  }
  await command("QUIT", "221");
  socket.end();
}

test("keeps every message of a pooled connection, and only the newest MAIL_SINK_KEEP of all", async () => {
  await sendOverOneConnection(["one", "two", "three", "four"]);
  // The oldest are deleted after the newest is written: wait (bounded) for the count to settle.
  const emls = () => readdirSync(dir).filter((name) => name.endsWith(".eml"));
  for (let i = 0; i < 30 && emls().length !== KEEP; i++) await Bun.sleep(100);
  const subjects = emls()
    .map((name) => readFileSync(join(dir, name), "utf8").match(/^Subject: (.*)$/m)?.[1])
    .sort();
  expect(subjects).toEqual(["four", "three", "two"]);
});
