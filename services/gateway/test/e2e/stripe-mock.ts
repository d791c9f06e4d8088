/**
 * stripe-mock (Stripe's own API simulator, a Go program) as a process on free ports, for the
 * Stripe provider's suite. scripts/test.sh installs it into .data/tools/bin (scripts/lib/stripe-mock.sh);
 * STRIPE_MOCK names another binary. Missing, the suite fails saying so: it is never skipped.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePorts } from "@platform/testing";

const installed = join(import.meta.dir, "..", "..", "..", "..", ".data", "tools", "bin", "stripe-mock");

export async function startStripeMock() {
  const binary = process.env.STRIPE_MOCK ?? installed;
  if (!existsSync(binary)) {
    throw new Error(`stripe-mock is not installed at ${binary}: run scripts/test.sh, or set STRIPE_MOCK`);
  }
  const [httpPort, httpsPort] = await freePorts(2);
  const child = Bun.spawn([binary, "-http-port", String(httpPort), "-https-port", String(httpsPort)], {
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const up = await fetch(`${url}/v1/balance`, {
      headers: { authorization: "Bearer sk_test_platform" },
    }).then(
      (res) => res.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill();
      throw new Error(`stripe-mock did not start on ${url}`);
    }
    await Bun.sleep(100);
  }
  return {
    url,
    async stop() {
      child.kill();
      await child.exited;
    },
  };
}
