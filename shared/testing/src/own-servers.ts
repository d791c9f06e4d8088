/**
 * Servers a test owns, so it can really stop, kill and restart them (the shared ones from
 * `bun run infra:up` serve every other test and must stay up): Postgres, Redis and a MongoDB
 * wire-protocol server, each from the machine's own binaries, with data in a temporary folder,
 * on a free port. They need what `bun run infra:up` installs (without a real mongod, the
 * mongo-java-server classpath is resolved through scripts/infra.sh when missing); a missing binary is
 * an error naming what to run.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { eventually } from "./names.js";
import { freePort } from "./service-process.js";

const REPO_ROOT = join(import.meta.dir, "..", "..", "..");
const isRoot = process.getuid?.() === 0;

function need(binary: string | null | undefined, what: string): string {
  if (!binary) throw new Error(`this test needs ${what}; \`bun run infra:up\` installs it`);
  return binary;
}

/** Whether a TCP port accepts connections. */
async function answers(port: number): Promise<boolean> {
  try {
    const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

abstract class OwnServer {
  protected process: Subprocess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), "own-server-"));

  constructor(readonly port: number) {}

  abstract get url(): string;
  protected abstract spawn(): Subprocess;

  async start(): Promise<void> {
    this.process = this.spawn();
    await eventually(`${this.constructor.name} on port ${this.port}`, () => answers(this.port), {
      timeoutMs: 60_000,
    });
  }

  /** Gone at once, as a crash or an OOM kill would leave it. */
  async kill(): Promise<void> {
    this.process?.kill("SIGKILL");
    await this.process?.exited;
  }

  async stop(): Promise<void> {
    this.process?.kill("SIGTERM");
    await this.process?.exited;
  }

  async remove(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** redis-server with AOF on, as in production. */
export class OwnRedis extends OwnServer {
  static async create(port?: number): Promise<OwnRedis> {
    return new OwnRedis(port ?? (await freePort()));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  protected spawn(): Subprocess {
    const binary = need(Bun.which("redis-server"), "redis-server on PATH");
    const args = [
      "--port",
      String(this.port),
      "--bind",
      "127.0.0.1",
      "--dir",
      this.dir,
      "--appendonly",
      "yes",
    ];
    return Bun.spawn([binary, ...args, "--save", ""], { stdout: "ignore", stderr: "inherit" });
  }
}

/** A Postgres cluster of its own (initdb once); as root, run as the `postgres` user like infra.sh. */
export class OwnPostgres extends OwnServer {
  private readonly bin = OwnPostgres.binDir();

  static async create(port?: number): Promise<OwnPostgres> {
    const server = new OwnPostgres(port ?? (await freePort()));
    await server.initialise();
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /**
   * Stops the way a crash looks to clients (`pg_ctl stop -m immediate`): connections cut, no
   * checkpoint, crash recovery at the next start. (A SIGKILL would reach only `runuser` as root and
   * leave the server's backends running.)
   */
  override async kill(): Promise<void> {
    await this.pgCtl("immediate");
  }

  override async stop(): Promise<void> {
    await this.pgCtl("fast");
  }

  private async pgCtl(mode: "immediate" | "fast"): Promise<void> {
    if (!this.process || this.process.exitCode !== null) return;
    await this.run([join(this.bin, "pg_ctl"), "-D", this.dataDir, "-m", mode, "-w", "stop"]);
    await this.process.exited;
  }

  private get dataDir(): string {
    return join(this.dir, "data");
  }

  protected spawn(): Subprocess {
    const options = [
      "-p",
      String(this.port),
      "-k",
      this.dir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "fsync=off",
    ];
    return Bun.spawn(this.asOwner([join(this.bin, "postgres"), "-D", this.dataDir, ...options]), {
      stdout: "ignore",
      stderr: "ignore",
    });
  }

  private async initialise(): Promise<void> {
    if (isRoot) await this.run(["chown", "postgres", this.dir]);
    await this.run([
      join(this.bin, "initdb"),
      "-D",
      this.dataDir,
      "-U",
      "postgres",
      "--auth=trust",
      "-E",
      "UTF8",
    ]);
  }

  private asOwner(command: string[]): string[] {
    return isRoot ? ["runuser", "-u", "postgres", "--", ...command] : command;
  }

  private async run(command: string[]): Promise<void> {
    const child = Bun.spawn(command[0] === "chown" ? command : this.asOwner(command), {
      stdout: "ignore",
      stderr: "pipe",
    });
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
    if (code !== 0) throw new Error(`${command.join(" ")} failed (${code}): ${stderr}`);
  }

  private static binDir(): string {
    const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort() : [];
    const latest = versions.at(-1);
    if (latest) return join("/usr/lib/postgresql", latest, "bin");
    const initdb = need(Bun.which("initdb"), "Postgres (initdb)");
    return join(initdb, "..");
  }
}

/** A real mongod when one is installed, else mongo-java-server (H2 file, so restarts keep the data). */
export class OwnMongo extends OwnServer {
  static async create(port?: number): Promise<OwnMongo> {
    return new OwnMongo(port ?? (await freePort()));
  }

  get url(): string {
    return `mongodb://127.0.0.1:${this.port}`;
  }

  protected spawn(): Subprocess {
    const mongod = Bun.which("mongod");
    if (mongod) {
      return Bun.spawn(
        [mongod, "--dbpath", this.dir, "--port", String(this.port), "--bind_ip", "127.0.0.1"],
        {
          stdout: "ignore",
          stderr: "inherit",
        },
      );
    }
    const java = need(Bun.which("java"), "java");
    const launcher = join(REPO_ROOT, "scripts", "mongo", "MongoWireServer.java");
    const classpath = readFileSync(mongoClasspathFile(), "utf8").trim();
    const args = ["--port", String(this.port), "--file", join(this.dir, "activity.mv")];
    return Bun.spawn([java, "-Xmx256m", "-cp", classpath, launcher, ...args], {
      stdout: "ignore",
      stderr: "inherit",
    });
  }
}

/** mongo-java-server's classpath file, resolved by scripts/infra.sh (from Maven Central) when missing. */
function mongoClasspathFile(): string {
  const file = join(REPO_ROOT, ".data", "mongo", "classpath.txt");
  if (existsSync(file)) return file;
  const resolved = Bun.spawnSync(["bash", join(REPO_ROOT, "scripts", "infra.sh"), "mongo-classpath"], {
    stdout: "ignore",
    stderr: "inherit",
  });
  if (resolved.exitCode !== 0 || !existsSync(file)) need(undefined, "mongo-java-server's classpath");
  return file;
}
