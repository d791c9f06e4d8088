/**
 * Keeps a set of processes running, as compose's `restart: unless-stopped` or Kubernetes would: a
 * child that exits while it is meant to run is started again with backoff (250 ms, doubling to
 * 10 s; back to 250 ms once it has run for 30 s), and the exit is logged. `bun run start` runs the
 * platform under it; the crash-matrix test uses it to restart what it kills and to check that no
 * process exited on its own.
 */
import type { Subprocess } from "bun";

export interface ChildSpec {
  name: string;
  command: string[];
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Resolves true once the child serves (GET /ready answers, a port accepts, ...). */
  ready?: () => Promise<boolean>;
  /** Each line the child writes. */
  output?: (line: string, stream: "stdout" | "stderr") => void;
}

export interface ExitRecord {
  name: string;
  code: number | null;
  at: Date;
  /** True when the supervisor itself killed it (kill()); false when it exited on its own. */
  expected: boolean;
}

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;
const STABLE_AFTER_MS = 30_000;

interface Running {
  spec: ChildSpec;
  child: Subprocess<"ignore", "pipe", "pipe">;
  startedAt: number;
  backoffMs: number;
  killedOnPurpose: boolean;
  restarting?: Promise<void>;
}

export class Supervisor {
  readonly exits: ExitRecord[] = [];
  private readonly running = new Map<string, Running>();
  private stopping = false;

  constructor(private readonly log: (message: string) => void = () => {}) {}

  /** Starts a child and waits until it is ready (or throws after `timeoutMs`), restarts included. */
  async start(spec: ChildSpec, timeoutMs = 60_000): Promise<void> {
    this.spawn(spec, FIRST_BACKOFF_MS);
    await this.whenReady(spec.name, timeoutMs);
  }

  /** Exits that nobody asked for. */
  get unexpectedExits(): ExitRecord[] {
    return this.exits.filter((exit) => !exit.expected);
  }

  /** Kills a child on purpose (SIGKILL unless told); it is restarted like any other exit. */
  kill(name: string, signal: NodeJS.Signals = "SIGKILL"): void {
    const entry = this.running.get(name);
    if (!entry) throw new Error(`no child named ${name}`);
    entry.killedOnPurpose = true;
    entry.child.kill(signal);
  }

  /** Waits until the child of that name was restarted (if it is restarting) and is ready again. */
  async whenReady(name: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const entry = this.running.get(name);
      if (!entry) throw new Error(`no child named ${name}`);
      if (entry.restarting) await entry.restarting;
      else if (entry.child.exitCode === null && (await (entry.spec.ready?.() ?? true))) return;
      if (Date.now() > deadline) throw new Error(`${name} was not ready again within ${timeoutMs / 1000}s`);
      await Bun.sleep(100);
    }
  }

  /** SIGTERM to every child, and waits for all of them to exit; nothing is restarted any more. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    const children = [...this.running.values()];
    for (const { child } of children) child.kill("SIGTERM");
    await Promise.all(children.map(({ child }) => child.exited));
  }

  private spawn(spec: ChildSpec, backoffMs: number): Running {
    const child = Bun.spawn(spec.command, {
      cwd: spec.cwd,
      env: spec.env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const entry: Running = { spec, child, startedAt: Date.now(), backoffMs, killedOnPurpose: false };
    this.running.set(spec.name, entry);
    void readLines(child.stdout, (line) => spec.output?.(line, "stdout"));
    void readLines(child.stderr, (line) => spec.output?.(line, "stderr"));
    void child.exited.then((code) => this.exited(entry, code));
    return entry;
  }

  private exited(entry: Running, code: number | null): void {
    if (this.stopping || this.running.get(entry.spec.name) !== entry) return;
    const expected = entry.killedOnPurpose;
    this.exits.push({ name: entry.spec.name, code, at: new Date(), expected });
    const ranFor = Date.now() - entry.startedAt;
    const delay = expected || ranFor > STABLE_AFTER_MS ? FIRST_BACKOFF_MS : entry.backoffMs;
    if (!expected) this.log(`${entry.spec.name} exited with code ${code}; restarting in ${delay} ms`);
    entry.restarting = (async () => {
      await Bun.sleep(delay);
      if (this.stopping) return;
      this.spawn(entry.spec, Math.min(MAX_BACKOFF_MS, delay * 2));
      entry.restarting = undefined;
    })();
  }
}

async function readLines(stream: ReadableStream<Uint8Array>, line: (text: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const text of lines) line(text);
  }
  if (pending) line(pending);
}

/** Ready checks. */
export const httpReady = (port: number) => () =>
  fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(1000) }).then(
    (response) => response.ok,
    () => false,
  );

export const tcpReady = (port: number) => () =>
  Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } }).then(
    (socket) => {
      socket.end();
      return true;
    },
    () => false,
  );
