/** The revocation list on real Redis: what it loads, what it learns, and that it misses nothing. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually, testInfra, uniqueName } from "@platform/testing";
import { Redis } from "ioredis";
import { type Revocation, RevocationList, revoke, tokenIssueDelayMs, userRevokedAt } from "../src/index.js";

let redis: Redis;
const lists: RevocationList[] = [];

beforeAll(async () => {
  redis = new Redis((await testInfra()).redisUrl);
});
afterAll(async () => {
  for (const list of lists) await list.close();
  redis.disconnect();
});

async function startList(keyPrefix: string) {
  const list = await RevocationList.start(redis, { keyPrefix });
  lists.push(list);
  return list;
}

const token = (userId: string, sessionId: string, issuedAt = Math.floor(Date.now() / 1000) - 10) => ({
  userId,
  sessionId,
  issuedAt,
});

describe("RevocationList", () => {
  test("loads what was revoked before it started, and learns later revocations as they are announced", async () => {
    const keyPrefix = `${uniqueName("t_rev")}:`;
    await revoke(redis, { kind: "session", id: "s-old", at: Date.now() }, { keyPrefix });
    const list = await startList(keyPrefix);
    expect(list.isRevoked(token("u-1", "s-old"))).toBe(true);
    expect(list.isRevoked(token("u-1", "s-new"))).toBe(false);

    const heard: Revocation[] = [];
    list.on("revoked", (revocation: Revocation) => heard.push(revocation));
    await revoke(redis, { kind: "session", id: "s-new", at: Date.now() }, { keyPrefix });
    await eventually("the announcement", () => list.isRevoked(token("u-1", "s-new")));
    expect(heard.map((r) => r.id)).toEqual(["s-new"]);
  });

  test("a revoked user's tokens issued before the revocation are refused, later ones are not", async () => {
    const keyPrefix = `${uniqueName("t_rev")}:`;
    const list = await startList(keyPrefix);
    const at = Date.now();
    await revoke(redis, { kind: "user", id: "u-2", at }, { keyPrefix });
    await eventually("the announcement", () =>
      list.isRevoked(token("u-2", "s-a", Math.floor(at / 1000) - 5)),
    );
    expect(list.isRevoked(token("u-2", "s-b", Math.floor(at / 1000) + 5))).toBe(false);
    expect(list.isRevoked(token("u-3", "s-a", Math.floor(at / 1000) - 5))).toBe(false);
  });

  test("a token issued in the second of its user's revocation would be refused: the issuer waits for the next", async () => {
    const keyPrefix = `${uniqueName("t_rev")}:`;
    const list = await startList(keyPrefix);
    expect(await userRevokedAt(redis, "u-4", { keyPrefix })).toBeUndefined();
    const at = Math.floor(Date.now() / 1000) * 1000 + 400;
    await revoke(redis, { kind: "user", id: "u-4", at, reason: "deactivated" }, { keyPrefix });
    await revoke(redis, { kind: "user", id: "u-4", at: at - 100_000 }, { keyPrefix });
    expect(await userRevokedAt(redis, "u-4", { keyPrefix })).toBe(at);
    await eventually("the announcement", () =>
      list.isRevoked(token("u-4", "s-a", Math.floor(at / 1000) - 5)),
    );
    // In the same second, even after the revocation: refused.
    expect(list.isRevoked(token("u-4", "s-a", Math.floor(at / 1000)))).toBe(true);
    // So a token is issued only from the next second on, and that one passes.
    expect(tokenIssueDelayMs(at, at + 100)).toBe(500);
    expect(tokenIssueDelayMs(at, at + 600)).toBe(0);
    expect(tokenIssueDelayMs(undefined)).toBe(0);
    expect(list.isRevoked(token("u-4", "s-a", Math.floor((at + 600) / 1000)))).toBe(false);
  });

  test("revocations announced while its connection was down are loaded when it reconnects", async () => {
    const keyPrefix = `${uniqueName("t_rev")}:`;
    const list = await startList(keyPrefix);
    await redis.call("CLIENT", "KILL", "TYPE", "pubsub");
    await revoke(redis, { kind: "session", id: "s-missed", at: Date.now() }, { keyPrefix });
    await eventually("the reload after reconnecting", () => list.isRevoked(token("u-4", "s-missed")), {
      timeoutMs: 5_000,
    });
  });

  test("entries older than the longest token lifetime are dropped from Redis as new ones arrive", async () => {
    const keyPrefix = `${uniqueName("t_rev")}:`;
    const options = { keyPrefix, maxTokenTtlSeconds: 60 };
    // Past the lifetime and the margin kept beyond it (60 s).
    await revoke(redis, { kind: "session", id: "s-ancient", at: Date.now() - 125_000 }, options);
    await revoke(redis, { kind: "session", id: "s-recent", at: Date.now() }, options);
    expect(await redis.zrange(`${keyPrefix}revoked:sessions`, "0", "-1")).toEqual(["s-recent"]);
  });
});
