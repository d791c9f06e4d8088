/**
 * The gRPC server asks a client to reconnect once its connection is GRPC_MAX_CONNECTION_AGE_MS old,
 * so behind a Kubernetes Service the calls spread over replicas added later; no call fails for it.
 * Connections are counted by a TCP relay in front of the server, as a Service would sit there.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createInventoryClient } from "@platform/proto";
import { type TcpRelay, tcpRelay } from "@platform/testing";
import { createInventoryTestContext, type InventoryTestContext } from "./test-context.js";

let ctx: InventoryTestContext;
let relay: TcpRelay;

beforeAll(async () => {
  ctx = await createInventoryTestContext({ GRPC_MAX_CONNECTION_AGE_MS: "300" });
  relay = await tcpRelay(ctx.grpcPort);
});
afterAll(async () => {
  await relay.close();
  await ctx.close();
});

test("a connection past its age is replaced, and every call on the way succeeds", async () => {
  const sku = await ctx.product({ initialStock: 3 });
  const { client, close } = createInventoryClient({ address: `127.0.0.1:${relay.port}`, retries: 0 });
  try {
    let answered = 0;
    for (const end = Date.now() + 1_500; Date.now() < end; await Bun.sleep(20)) {
      const { items } = await client.getStock({ skus: [sku] });
      if (items[0]?.available === 3) answered++;
    }
    expect(answered).toBeGreaterThan(20);
    expect(relay.connections).toBeGreaterThanOrEqual(3); // about one per 300 ms, where one would do
  } finally {
    close();
  }
});
