/**
 * The gRPC server asks a client to reconnect once its connection is GRPC_MAX_CONNECTION_AGE_MS old,
 * so behind a Kubernetes Service the calls spread over replicas added later; no call fails for it.
 * Connections are counted by a TCP relay in front of the server, as a Service would sit there.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect, createServer, type Server } from "node:net";
import { createInventoryClient } from "@platform/proto";
import { createInventoryTestContext, type InventoryTestContext } from "./test-context.js";

let ctx: InventoryTestContext;
let relay: Server;
let connections = 0;

beforeAll(async () => {
  ctx = await createInventoryTestContext({ GRPC_MAX_CONNECTION_AGE_MS: "300" });
  relay = createServer((client) => {
    connections++;
    const server = connect(ctx.grpcPort, "127.0.0.1");
    client.pipe(server).pipe(client);
    for (const [socket, other] of [
      [client, server],
      [server, client],
    ] as const) {
      socket.on("error", () => other.destroy());
      socket.on("close", () => other.destroy());
    }
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  relay.close();
  await ctx.close();
});

test("a connection past its age is replaced, and every call on the way succeeds", async () => {
  const sku = await ctx.product({ initialStock: 3 });
  const port = (relay.address() as { port: number }).port;
  const { client, close } = createInventoryClient({ address: `127.0.0.1:${port}`, retries: 0 });
  try {
    let answered = 0;
    for (const end = Date.now() + 1_500; Date.now() < end; await Bun.sleep(20)) {
      const { items } = await client.getStock({ skus: [sku] });
      if (items[0]?.available === 3) answered++;
    }
    expect(answered).toBeGreaterThan(20);
    expect(connections).toBeGreaterThanOrEqual(3); // about one per 300 ms, where one would do
  } finally {
    close();
  }
});
