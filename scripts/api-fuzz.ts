/**
 * Schemathesis (`--checks all`) against every service's OpenAPI document and the gateway's public
 * one, on a platform of its own (the end-to-end harness), as a customer and as an admin. Any
 * failure fails the run. Part of `bun run test` (scripts/test.sh installs Schemathesis).
 *
 *   bun scripts/api-fuzz.ts                   # the whole run
 *   API_FUZZ_EXAMPLES=10 bun scripts/api-fuzz.ts
 *
 * POST /auth/logout is left out of the fuzzing: it would revoke the very token the run uses (the
 * end-to-end and user-service tests cover it). The customer's run leaves out registration: a
 * customer who registers someone else gets 404 reading them back, exactly as for a missing user
 * (ARCHITECTURE §5: an answer must not reveal who exists), which the stateful "created resource is
 * available" check reads as a bug. The admin's run registers, and reads back, as it pleases.
 */
import { join } from "node:path";
import { ADMIN, startPlatform } from "../services/gateway/test/e2e/platform.js";

const root = join(import.meta.dir, "..");
const schemathesis = process.env.SCHEMATHESIS ?? join(root, ".data", "tools", "venv", "bin", "schemathesis");
const examples = process.env.API_FUZZ_EXAMPLES ?? "25";

// Limits out of the way: the fuzzer speaks from one address, many times a second.
const platform = await startPlatform({
  gateway: {
    RATE_LIMIT_IP_BURST: "100000",
    RATE_LIMIT_IP_PER_MINUTE: "100000",
    RATE_LIMIT_USER_BURST: "100000",
  },
});
let failed = false;
try {
  const admin = await login(platform.gateway, ADMIN.email, ADMIN.password);
  const targets = [
    ...Object.entries(platform.serviceUrls)
      .filter(([name]) => name !== "gateway")
      .map(([name, url]) => ({ name, document: `${url}/swagger/json`, base: url })),
    {
      name: "gateway (public API)",
      document: `${platform.gateway}/docs/openapi.json`,
      base: platform.gateway,
    },
  ];
  for (const target of targets) {
    // A customer of its own for each run: an admin's run may well deactivate the last one.
    for (const [role, token] of [
      ["customer", await registerCustomer(platform.gateway)],
      ["admin", admin],
    ] as const) {
      const code = await run(
        target,
        role,
        token,
        role === "customer" ? ["--exclude-operation-id", "postUsers"] : [],
      );
      if (code !== 0) failed = true;
    }
  }
} finally {
  await platform.stop();
}
process.exit(failed ? 1 : 0);

async function run(
  target: { name: string; document: string; base: string },
  role: string,
  token: string,
  extra: string[],
) {
  console.log(`\n=== schemathesis: ${target.name} as ${role}`);
  const child = Bun.spawn(
    [
      schemathesis,
      "run",
      target.document,
      "--url",
      target.base,
      "--header",
      `Authorization: Bearer ${token}`,
      "--checks",
      "all",
      "--max-examples",
      examples,
      "--exclude-path-regex",
      "/auth/logout$",
      "--no-color",
      "--seed",
      "1",
      ...extra,
    ],
    { cwd: join(root, "scripts", "schemathesis"), stdout: "inherit", stderr: "inherit" },
  );
  return child.exited;
}

async function login(gateway: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${gateway}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`login ${email}: ${response.status}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function registerCustomer(gateway: string): Promise<string> {
  const email = `fuzz-${Bun.randomUUIDv7()}@example.com`;
  const response = await fetch(`${gateway}/api/users`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, name: "Fuzz Customer", password: "fuzz-password-1" }),
  });
  if (response.status !== 201) throw new Error(`register: ${response.status}`);
  return login(gateway, email, "fuzz-password-1");
}
