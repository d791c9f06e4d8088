/**
 * An inventory connection that went silent (the server's host gone, a partition: no FIN, no RST) is
 * given up by the client's keepalive, and calls go through again on a new one once the network is
 * back (ARCHITECTURE §12). A TCP relay in front of the server plays the network.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { createInventoryClient } from "@platform/proto";
import { eventually, type TcpRelay, tcpRelay } from "@platform/testing";
import { createInventoryTestContext, type InventoryTestContext } from "./test-context.js";

setDefaultTimeout(30_000);

let ctx: InventoryTestContext;
let relay: TcpRelay;

beforeAll(async () => {
  ctx = await createInventoryTestContext();
  relay = await tcpRelay(ctx.grpcPort);
});
afterAll(async () => {
  await relay.close();
  await ctx.close();
});

test("a connection gone silent is dropped by keepalive; calls succeed on a new one once the network is back", async () => {
  const sku = await ctx.product({ initialStock: 3 });
  const { client, close } = createInventoryClient({
    address: `127.0.0.1:${relay.port}`,
    retries: 0,
    deadlineMs: 500,
    keepaliveMs: 1_000,
  });
  const available = async () => (await client.getStock({ skus: [sku] })).items[0]?.available;
  try {
    expect(await available()).toBe(3);
    relay.blackHole();
    await expect(available()).rejects.toThrow(/DEADLINE_EXCEEDED/);
    relay.restore();
    // The old connection never answers again (nor closes): only a new one can.
    await eventually(
      "a call answered",
      () =>
        available().then(
          (n) => n === 3,
          () => false,
        ),
      {
        timeoutMs: 15_000,
      },
    );
    expect(relay.connections).toBeGreaterThanOrEqual(2);
  } finally {
    close();
  }
});
