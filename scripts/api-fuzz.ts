/**
 * Schemathesis (`--checks all`) against every service's OpenAPI document and the gateway's public
 * one, on a platform of its own (the end-to-end harness), as a customer and as an admin. Any
 * failure fails the run. Part of `bun run test` (scripts/test.sh installs Schemathesis).
 *
 * Each run's whole report goes to `.data/schemathesis/<target>-<role>.log`; the console gets one line
 * per run, and the whole report only when the run failed. Schemathesis closes a report with a
 * pytest-like "=== No issues found in 12.3s ===" banner, which log readers that look for a test
 * summary take for one that ran nothing; the test summary proper is bun's, at the end of the run.
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
import { mkdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { ADMIN, startPlatform } from "../services/gateway/test/e2e/platform.js";

const root = join(import.meta.dir, "..");
const schemathesis = process.env.SCHEMATHESIS ?? join(root, ".data", "tools", "venv", "bin", "schemathesis");
const examples = process.env.API_FUZZ_EXAMPLES ?? "25";
const reports = join(root, ".data", "schemathesis");
await mkdir(reports, { recursive: true });

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
    { cwd: join(root, "scripts", "schemathesis"), stdout: "pipe", stderr: "pipe" },
  );
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  const report = out + err;
  const file = join(reports, `${target.name.replace(/\W+/g, "-").replace(/-$/, "")}-${role}.log`);
  await Bun.write(file, report);
  const cases = report.match(/(\d+) generated/)?.[1] ?? "?";
  if (code === 0) {
    console.log(
      `schemathesis ${target.name} as ${role}: no failure in ${cases} generated cases (${relative(root, file)})`,
    );
  } else {
    console.log(`schemathesis ${target.name} as ${role}: FAILED (exit ${code}); its report:\n${report}`);
  }
  return code;
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
