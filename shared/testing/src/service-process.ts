/** A service started as a real process, as the end-to-end suite and the process tests need. */
import type { Subprocess } from "bun";
import { eventually } from "./names.js";

/**
 * `count` distinct free ports, held all at once while they are chosen: ports picked one by one and
 * released in between can come back twice (two services on one port, the second one's readiness
 * check answered by the first).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () =>
    Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() }),
  );
  const ports = servers.map((server) => server.port ?? 0);
  await Promise.all(servers.map((server) => server.stop(true)));
  return ports;
}

export async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = server.port ?? 0;
  await server.stop(true);
  return port;
}

export interface ServiceProcess {
  child: Subprocess<"ignore", "pipe", "pipe">;
  baseUrl: string;
  /** SIGTERM, then the exit code and every JSON log line it wrote. */
  stop(): Promise<{ code: number; lines: Array<Record<string, unknown>> }>;
}

/** Spawns `bun <main>` with the given environment and waits until GET /health answers on PORT. */
export async function startServiceProcess(
  main: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const port = env.PORT ?? String(await freePort());
  const child = Bun.spawn(["bun", main], {
    env: { ...process.env, ...env, PORT: port },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stdout = new Response(child.stdout).text();
  const stderr = new Response(child.stderr).text();
  try {
    await eventually(`${main} to answer /health`, async () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${await stderr}`);
      return (await fetch(`${baseUrl}/health`).catch(() => undefined))?.ok;
    });
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    child,
    baseUrl,
    async stop() {
      child.kill("SIGTERM");
      const code = await child.exited;
      const lines = (await stdout)
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      return { code, lines };
    },
  };
}

/** Runs `bun <main>` expecting it to exit at once (a bad configuration); resolves to its exit code and stderr. */
export async function runToExit(
  main: string,
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  const child = Bun.spawn(["bun", main], {
    env: { ...process.env, ...env },
    stdout: "ignore",
    stderr: "pipe",
  });
  const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  return { code, stderr };
}
