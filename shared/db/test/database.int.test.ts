/** The platform's Postgres pool against a Postgres that vanishes without a word (ARCHITECTURE §12). */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { isDependencyFailure } from "@platform/errors";
import { eventually, type TcpRelay, tcpRelay, testInfra } from "@platform/testing";
import { sql } from "kysely";
import { answerLost, createDatabase } from "../src/index.js";

setDefaultTimeout(30_000);

let relay: TcpRelay;
let url: URL;

beforeAll(async () => {
  const { postgresUrl } = await testInfra();
  url = new URL(postgresUrl);
  relay = await tcpRelay(Number(url.port || 5432), url.hostname);
  url.hostname = "127.0.0.1";
  url.port = String(relay.port);
});
afterAll(() => relay.close());

test("a query on a connection gone silent fails as an outage, and the pool's next query runs on a new connection", async () => {
  // One connection: a stuck one kept in the pool would hold every later query.
  const db = createDatabase({ url: url.href, schema: "public", poolMax: 1, statementTimeoutMs: 500 });
  const one = async () => (await sql<{ n: number }>`select 1 as n`.execute(db)).rows[0]?.n;
  try {
    expect(await one()).toBe(1);
    relay.blackHole();
    const failed = await one().catch((error: unknown) => error);
    expect(answerLost(failed)).toBe(true);
    expect(isDependencyFailure(failed)).toBe(true);
    relay.restore();
    await eventually(
      "a query answered",
      () =>
        one().then(
          (n) => n === 1,
          () => false,
        ),
      { timeoutMs: 15_000 },
    );
  } finally {
    await db.destroy();
  }
});

test("a statement past its time limit is cancelled by Postgres: an outage to retry, and the connection serves on", async () => {
  const db = createDatabase({ url: url.href, schema: "public", poolMax: 1, statementTimeoutMs: 300 });
  try {
    const slow = await sql`select pg_sleep(2)`.execute(db).catch((error: unknown) => error);
    expect(slow).toMatchObject({ code: "57014" });
    expect(isDependencyFailure(slow)).toBe(true);
    expect((await sql<{ n: number }>`select 1 as n`.execute(db)).rows[0]?.n).toBe(1);
  } finally {
    await db.destroy();
  }
});
