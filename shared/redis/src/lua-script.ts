/**
 * A Lua script of ours, registered once per connection with ioredis `defineCommand`: called by SHA,
 * reloaded by ioredis on NOSCRIPT (after a Redis restart, say). Scripts live next to the code that
 * calls them, named `<command>-<numberOfKeys>.lua`, with a header listing KEYS, ARGV and returns.
 *
 *   const trim = luaScript(redis, new URL("./trim-stream-1.lua", import.meta.url));
 *   await trim(stream, keep);
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { Redis } from "ioredis";

export type LuaScript<R = unknown> = (...keysThenArgs: Array<string | number>) => Promise<R>;

const FILE_NAME = /^([a-z0-9-]+)-(\d+)\.lua$/;

interface ScriptFile {
  command: string;
  keys: number;
  lua: string;
}

/** Each file read and named once per process: callers may ask for a script on every call. */
const scriptFiles = new Map<string, ScriptFile>();

function scriptFile(file: URL): ScriptFile {
  const known = scriptFiles.get(file.href);
  if (known) return known;
  const match = basename(file.pathname).match(FILE_NAME);
  if (!match) throw new Error(`${file.pathname}: a script file is named <command>-<numberOfKeys>.lua`);
  const [, name, keys] = match as [string, string, string];
  const lua = readFileSync(file, "utf8");
  // Named by content too: two scripts of one name in different services never shadow each other.
  const digest = new Bun.CryptoHasher("sha1").update(lua).digest("hex").slice(0, 10);
  const read = { command: `${name.replaceAll("-", "_")}_${digest}`, keys: Number(keys), lua };
  scriptFiles.set(file.href, read);
  return read;
}

export function luaScript<R = unknown>(redis: Redis, file: URL): LuaScript<R> {
  const { command, keys, lua } = scriptFile(file);
  const commands = redis as unknown as Record<string, LuaScript<R>>;
  if (!(command in redis)) redis.defineCommand(command, { numberOfKeys: keys, lua });
  const bound = commands[command];
  if (!bound) throw new Error(`script ${command} was not defined`);
  return bound.bind(redis);
}
