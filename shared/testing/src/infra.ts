/**
 * Where integration tests find Postgres, Redis and MongoDB, in this order:
 *   1. POSTGRES_URL / REDIS_URL / MONGO_URL in the environment;
 *   2. .data/infra.env, written by `bun run infra:up` (scripts/infra.sh), or the file INFRA_ENV_FILE names;
 *   3. testcontainers, when a Docker engine answers;
 *   4. otherwise the run stops with one line that says what to start. Never a silent skip.
 */
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

export interface TestInfra {
  postgresUrl: string;
  redisUrl: string;
  mongoUrl: string;
}

type Key = keyof TestInfra;
const VARIABLES: Record<Key, string> = {
  postgresUrl: "POSTGRES_URL",
  redisUrl: "REDIS_URL",
  mongoUrl: "MONGO_URL",
};
const REPO_ROOT = join(import.meta.dir, "..", "..", "..");

let resolved: Promise<TestInfra> | undefined;

/** The infrastructure for this test run, resolved once per process. */
export function testInfra(): Promise<TestInfra> {
  resolved ??= resolveInfra();
  return resolved;
}

async function resolveInfra(): Promise<TestInfra> {
  const fromFile = readEnvFile(process.env.INFRA_ENV_FILE ?? join(REPO_ROOT, ".data", "infra.env"));
  const found: Partial<TestInfra> = {};
  for (const [key, variable] of Object.entries(VARIABLES) as Array<[Key, string]>) {
    const value = process.env[variable] || fromFile[variable];
    if (value) found[key] = value;
  }
  const missing = (Object.keys(VARIABLES) as Key[]).filter((key) => !found[key]);
  if (missing.length > 0) {
    if (await dockerAnswers()) Object.assign(found, await startContainers(missing));
    else stop(`${missing.map((key) => VARIABLES[key]).join(", ")} not set and no Docker engine answers`);
  }
  const infra = found as TestInfra;
  const unreachable: string[] = [];
  for (const key of Object.keys(VARIABLES) as Key[]) {
    if (!(await reachable(infra[key]))) unreachable.push(`${VARIABLES[key]}=${infra[key]}`);
  }
  if (unreachable.length > 0) stop(`nothing answers at ${unreachable.join(", ")}`);
  return infra;
}

function stop(reason: string): never {
  process.stderr.write(
    `integration tests need Postgres, Redis and MongoDB: ${reason}. Run \`bun run infra:up\` ` +
      "(or set POSTGRES_URL, REDIS_URL, MONGO_URL, or start a Docker engine for testcontainers).\n",
  );
  process.exit(1);
}

function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = line.match(/^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/);
    if (match?.[1]) values[match[1]] = (match[2] ?? "").trim();
  }
  return values;
}

function reachable(url: string, timeoutMs = 2000): Promise<boolean> {
  const { hostname, port, protocol } = new URL(url);
  const defaults: Record<string, number> = {
    "postgres:": 5432,
    "postgresql:": 5432,
    "redis:": 6379,
    "mongodb:": 27017,
  };
  const target = Number(port) || defaults[protocol] || 0;
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ""), port: target });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** Starts the missing servers in containers; they are removed when the test process exits (Ryuk). */
async function startContainers(missing: Key[]): Promise<Partial<TestInfra>> {
  const { GenericContainer, Wait } = await import("testcontainers");
  const started: Partial<TestInfra> = {};
  for (const key of missing) {
    if (key === "postgresUrl") {
      const c = await new GenericContainer("postgres:16")
        .withEnvironment({
          POSTGRES_USER: "platform",
          POSTGRES_PASSWORD: "platform",
          POSTGRES_DB: "platform",
        })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start();
      started.postgresUrl = `postgres://platform:platform@${c.getHost()}:${c.getMappedPort(5432)}/platform`;
    } else if (key === "redisUrl") {
      const c = await new GenericContainer("redis:7")
        .withCommand(["redis-server", "--appendonly", "yes"])
        .withExposedPorts(6379)
        .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
        .start();
      started.redisUrl = `redis://${c.getHost()}:${c.getMappedPort(6379)}`;
    } else {
      const c = await new GenericContainer("mongo:7")
        .withExposedPorts(27017)
        .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
        .start();
      started.mongoUrl = `mongodb://${c.getHost()}:${c.getMappedPort(27017)}`;
    }
  }
  return started;
}
