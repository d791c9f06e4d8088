/**
 * CPU time of each platform process over a run: `bun scripts/bench-cpu.ts -- <command…>` reads the
 * user+system time of every service process, of `bun run start` itself (it passes their log lines
 * on), of the mail and SMS sinks, Postgres, Redis and the MongoDB server from /proc before and after
 * the command, adds the command's own (k6's, when it runs the load on the same box), and prints
 * each one's share, in CPU milliseconds per order when ORDERS is given (the per-hop cost of one
 * order in BENCHMARKS.md) and in % of one core.
 *
 *   ORDERS=9000 bun scripts/bench-cpu.ts -- k6 run -e RATE=150 -e DURATION=60s scripts/k6/orders.js
 * Linux only (it reads /proc).
 */
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Sample {
  name: string;
  ticks: number;
}

/** Groups processes by what they are: the service a bun process runs, or the server's name. */
function classify(cmdline: string[]): string | undefined {
  const text = cmdline.join(" ");
  const service = text.match(/services\/([a-z]+)\/src\/main\.ts/)?.[1];
  if (service) return service;
  if (text.includes("mail-sink.ts")) return "mail sink";
  if (text.includes("sms-sink.ts")) return "sms sink";
  // `bun run start` itself: it passes every service's log lines on, prefixed.
  if (text.includes("scripts/start.ts")) return "start (log lines)";
  if (/(^|\/)jaeger$/.test(cmdline[0] ?? "")) return "jaeger";
  if (/(^|\/)prometheus$/.test(cmdline[0] ?? "")) return "prometheus";
  if (/^postgres|\/postgres\b/.test(cmdline[0] ?? "") || text.startsWith("postgres:")) return "postgres";
  if (text.includes("redis-server")) return "redis";
  if (text.includes("MongoWireServer") || text.includes("mongod")) return "mongodb";
  if (/(^|\/)k6$/.test(cmdline[0] ?? "")) return "k6";
  if (text.includes("bench-pipeline.ts")) return "load driver";
  return undefined;
}

function sample(): Map<string, number> {
  const totals = new Map<string, number>();
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      const name = classify(cmdline);
      if (!name) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 after the command name.
      const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
      totals.set(name, (totals.get(name) ?? 0) + ticks);
    } catch {
      // the process ended meanwhile
    }
  }
  return totals;
}

const separator = process.argv.indexOf("--");
const command = process.argv.slice(separator === -1 ? 2 : separator + 1);
if (command.length === 0) throw new Error("usage: bun scripts/bench-cpu.ts -- <command…>");

const before = sample();
const startedAt = performance.now();
const child = Bun.spawn(command, { stdout: "inherit", stderr: "inherit" });
const code = await child.exited;
const seconds = (performance.now() - startedAt) / 1000;
const after = sample();

const orders = Number(process.env.ORDERS ?? 0);
const rows: Sample[] = [...after].map(([name, ticks]) => ({ name, ticks: ticks - (before.get(name) ?? 0) }));
// The command itself (k6: the load on the same box) has exited: its own usage, from the kernel.
const usage = child.resourceUsage();
if (usage) {
  const microseconds = Number(usage.cpuTime.user + usage.cpuTime.system);
  rows.push({ name: `${command[0]} (the command)`, ticks: (microseconds / 1e6) * TICKS_PER_SECOND });
}
rows.sort((a, b) => b.ticks - a.ticks);
console.log(`\n| process | CPU s | % of a core | ${orders ? "CPU ms per order |" : ""}`);
console.log(`|---|---|---|${orders ? "---|" : ""}`);
for (const { name, ticks } of rows) {
  const cpu = ticks / TICKS_PER_SECOND;
  const perOrder = orders ? ` ${((cpu * 1000) / orders).toFixed(2)} |` : "";
  console.log(`| ${name} | ${cpu.toFixed(1)} | ${((cpu / seconds) * 100).toFixed(0)} % |${perOrder}`);
}
console.log(`(over ${seconds.toFixed(1)} s)`);
process.exitCode = code;
