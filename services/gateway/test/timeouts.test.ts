/**
 * Time limits that must nest across services: an answer a service promises within its own limit
 * has to come before the caller in front of it gives up, or the client sees the caller's 504
 * instead of the documented answer.
 */
import { expect, test } from "bun:test";
import { loadConfig } from "@platform/config";
import { orderConfigSchema } from "../../order/src/config.js";
import { gatewayConfigSchema } from "../src/config.js";

const gateway = loadConfig(gatewayConfigSchema, {});
const order = loadConfig(orderConfigSchema, {});

test("a duplicate Idempotency-Key gets its 409 IDEMPOTENCY_KEY_IN_PROGRESS before the gateway's 504", () => {
  expect(order.IDEMPOTENCY_WAIT_MS).toBeLessThan(gateway.UPSTREAM_TIMEOUT_MS);
});
