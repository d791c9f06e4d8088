/**
 * What a timeout of an HTTP channel (webhook, SMS provider) means, on real sockets: a host that
 * took the request and did not answer may have the message (it spends an attempt); a host that
 * takes no connection at all (down, dropping packets) does not (an outage: the message waits).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ChannelUnavailableError, postToChannel } from "../src/channels/channel.js";

// Takes connections and reads the request; never answers.
const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
let full: ReturnType<typeof Bun.spawn>;
let fullPort: number;

beforeAll(async () => {
  // A listener whose accept queue its own connections fill: further connections get no answer to
  // their SYN, as from a host that is down or behind a firewall dropping packets.
  full = Bun.spawn(
    [
      "python3",
      "-c",
      `import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
port = s.getsockname()[1]
held = []
for _ in range(4):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.1", port))
    except BlockingIOError: pass
    held.append(c)
time.sleep(0.3)
print(port, flush=True)
time.sleep(120)`,
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  const reader = (full.stdout as ReadableStream<Uint8Array>).getReader();
  fullPort = Number(new TextDecoder().decode((await reader.read()).value).trim());
  reader.releaseLock();
});
afterAll(() => {
  silent.stop(true);
  full.kill();
});

async function failureOf(url: string): Promise<ChannelUnavailableError> {
  const error = await postToChannel("test endpoint", url, { headers: {}, body: "{}", timeoutMs: 300 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChannelUnavailableError);
  return error as ChannelUnavailableError;
}

test("a host that took the request and did not answer in time may have the message: unanswered", async () => {
  expect((await failureOf(`http://127.0.0.1:${silent.port}/hook`)).unanswered).toBe(true);
});

test("a host that takes no connection within the timeout does not have it: an outage, not unanswered", async () => {
  expect(fullPort).toBeGreaterThan(0);
  expect((await failureOf(`http://127.0.0.1:${fullPort}/hook`)).unanswered).toBe(false);
});
