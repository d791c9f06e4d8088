/**
 * A TCP relay in front of a server, for fault tests: it counts connections, and `blackHole()` makes
 * it a network that drops everything without a word (no FIN, no RST) — what a client sees when its
 * server's host vanished or a partition cut it off, and what a stopped server never shows. The
 * connections it held stay silent for good; `restore()` forwards new ones again, as a route that
 * came back would (or a new pod behind the same Service).
 */
import { connect, createServer, type Socket } from "node:net";

export interface TcpRelay {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  blackHole(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function tcpRelay(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpRelay> {
  let connections = 0;
  let silent = false;
  const held = new Set<{ silence(): void; destroy(): void }>();
  const server = createServer((client) => {
    connections++;
    if (silent) return void held.add(swallow(client));
    const upstream = connect(targetPort, targetHost);
    const pair = relayPair(client, upstream);
    held.add(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    get connections() {
      return connections;
    },
    blackHole() {
      silent = true;
      for (const connection of held) connection.silence();
    },
    restore() {
      silent = false;
    },
    async close() {
      for (const connection of held) connection.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Forwards both ways until silenced; then reads and drops whatever either side sends. */
function relayPair(client: Socket, upstream: Socket) {
  let silent = false;
  for (const [from, to] of [
    [client, upstream],
    [upstream, client],
  ] as const) {
    from.on("data", (chunk) => {
      if (!silent) to.write(chunk);
    });
    from.on("error", () => to.destroy());
    from.on("close", () => {
      if (!silent) to.destroy();
    });
  }
  return {
    silence: () => {
      silent = true;
    },
    destroy: () => {
      client.destroy();
      upstream.destroy();
    },
  };
}

/** A connection accepted while the network is down: nothing reaches the server, nothing comes back. */
function swallow(client: Socket) {
  client.on("data", () => {});
  client.on("error", () => {});
  return { silence: () => {}, destroy: () => client.destroy() };
}
