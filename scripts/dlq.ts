/**
 * Dead letters, for an operator: list what a stream's consumers gave up on, and put entries back.
 *   bun scripts/dlq.ts list events:orders
 *   bun scripts/dlq.ts replay events:orders <dead-letter id>     (or "all")
 * A replayed entry keeps its event id, so groups that had already processed it skip it and the
 * group that failed it gets another try. REDIS_URL (or .data/infra.env) says which Redis.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { listDeadLetters, replayDeadLetter } from "@platform/events";
import { Redis } from "ioredis";

const [command, stream, id] = process.argv.slice(2);
if (!stream || (command !== "list" && command !== "replay") || (command === "replay" && !id)) {
  console.error("usage: bun scripts/dlq.ts list <stream> | replay <stream> <dead-letter id|all>");
  process.exit(2);
}
const envFile = join(import.meta.dir, "..", ".data", "infra.env");
const fromFile = existsSync(envFile)
  ? readFileSync(envFile, "utf8").match(/REDIS_URL=(\S+)/)?.[1]
  : undefined;
const redis = new Redis(process.env.REDIS_URL ?? fromFile ?? "redis://127.0.0.1:6379");
try {
  const letters = await listDeadLetters(redis, stream, 1_000);
  if (command === "list") {
    for (const letter of letters) {
      console.log(
        JSON.stringify({
          id: letter.id,
          originalId: letter.originalId,
          group: letter.group,
          deliveries: letter.deliveries,
          error: letter.error,
          type: letter.fields.type,
          eventId: letter.fields.id,
          deadLetteredAt: letter.deadLetteredAt,
        }),
      );
    }
    console.error(`${letters.length} dead letter(s) in ${stream}:dlq`);
  } else {
    const ids = id === "all" ? letters.map((letter) => letter.id) : [id as string];
    for (const deadLetterId of ids) {
      const newId = await replayDeadLetter(redis, stream, deadLetterId);
      console.log(
        newId
          ? `${deadLetterId} → ${stream} ${newId}`
          : `${deadLetterId}: no such dead letter (replayed already?)`,
      );
    }
  }
} finally {
  redis.disconnect();
}
