/**
 * What the benchmark scripts share: the running platform's gateway (GATEWAY_URL, else
 * localhost:8080) as a small JSON client, and the infrastructure URLs the way `bun run infra:up`
 * wrote them (.data/infra.env) unless the environment names them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..", "..");

export const GATEWAY = `${process.env.GATEWAY_URL ?? "http://localhost:8080"}/api`;

export function infraUrl(name: string): string {
  if (process.env[name]) return process.env[name] as string;
  const file = readFileSync(join(root, ".data", "infra.env"), "utf8");
  const match = file.match(new RegExp(`^export ${name}=(.*)$`, "m"));
  if (!match?.[1]) throw new Error(`${name} is not set and not in .data/infra.env`);
  return match[1];
}

export async function api(method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${GATEWAY}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json().catch(() => ({}))) as Record<string, unknown>,
  };
}

export async function login(email: string, password: string): Promise<string> {
  const res = await api("POST", "/auth/login", undefined, { email, password });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body.accessToken);
}
