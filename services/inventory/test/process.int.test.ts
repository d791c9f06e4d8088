/** The inventory service as a real process: REST and gRPC ports, configuration errors, graceful stop. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createDatabase } from "@platform/db";
import { createInventoryClient, requestMetadata } from "@platform/proto";
import { freePort, runToExit, startServiceProcess, testInfra, uniqueName } from "@platform/testing";
import { sql } from "kysely";

const main = join(import.meta.dir, "..", "src", "main.ts");

describe("the inventory service process", () => {
  test.each([
    ["GRPC_PORT", "70000"],
    ["DEFAULT_CURRENCY", "XYZ"],
    ["REDIS_URL", "http://localhost:6379"],
  ])("a bad %s exits non-zero with one line naming it", async (name, value) => {
    const { code, stderr } = await runToExit(main, { [name]: value });
    expect(code).not.toBe(0);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith(`inventory: invalid environment variable ${name}=`);
  });

  test("serves REST and gRPC, logs the gRPC request id, and stops cleanly on SIGTERM", async () => {
    const { postgresUrl, redisUrl } = await testInfra();
    const schema = uniqueName("t_inventory_proc");
    const grpcPort = await freePort();
    const service = await startServiceProcess(main, {
      POSTGRES_URL: postgresUrl,
      POSTGRES_SCHEMA: schema,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `${uniqueName("t_inv_proc")}:`,
      GRPC_PORT: String(grpcPort),
    });
    const inventory = createInventoryClient({ address: `127.0.0.1:${grpcPort}` });
    try {
      const ready = await fetch(`${service.baseUrl}/ready`);
      expect(await ready.json()).toMatchObject({ checks: { postgres: "ok", redis: "ok" } });
      const page = await fetch(`${service.baseUrl}/products`).then((r) => r.json());
      expect(page).toEqual({ items: [], nextCursor: null });
      const failure = await inventory.client
        .getStock({ skus: ["NOPE-1"] }, { metadata: requestMetadata("req-grpc-proc") })
        .catch((error: Error) => error.message);
      expect(String(failure)).toContain("NOT_FOUND");
    } finally {
      inventory.close();
      const { code, lines } = await service.stop();
      expect(code).toBe(0);
      expect(lines.find((line) => line.requestId === "req-grpc-proc")).toMatchObject({
        service: "inventory",
        rpc: "/inventory.v1.InventoryService/GetStock",
      });
      expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(["gRPC listening", "stopped"]));
      const db = createDatabase({ url: postgresUrl, schema, poolMax: 1 });
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
    }
  });
});
