// Finds the order rate the platform sustains: the arrival rate ramps up step by step, and the end
// of the run prints, for each step, the rate achieved and the latency, then the saturation point:
// the highest step achieved in full (within 3 %) with p99 under LATENCY_MS and no failed request.
//   k6 run scripts/k6/saturation.js   (FROM=100 TO=700 STEP=100 STEP_SECONDS=20 LATENCY_MS=100 PRE_VUS=TO)

import exec from "k6/execution";
import http from "k6/http";
import { adminToken, authHeaders, BASE, customers, product } from "./lib.js";

const FROM = Number(__ENV.FROM || 100);
const TO = Number(__ENV.TO || 700);
const STEP = Number(__ENV.STEP || 100);
const STEP_SECONDS = Number(__ENV.STEP_SECONDS || 20);
const LATENCY_MS = Number(__ENV.LATENCY_MS || 100);
// VUs made before the start (one made during the run comes too late for the iteration that asked
// for it, which k6 then drops): by default enough for a second of latency at the top rate.
const PRE_VUS = Number(__ENV.PRE_VUS || TO);
const RATES = [];
for (let rate = FROM; rate <= TO; rate += STEP) RATES.push(rate);

// Each step: a short ramp to the rate, then the rate held; only the held part is measured.
const RAMP_SECONDS = 3;
const stages = RATES.flatMap((rate) => [
  { target: rate, duration: `${RAMP_SECONDS}s` },
  { target: rate, duration: `${STEP_SECONDS}s` },
]);

// Submetrics per step exist only for tags named in thresholds: one always-true threshold each.
const thresholds = {};
for (const rate of RATES) {
  thresholds[`http_req_duration{step:${rate}}`] = ["max>=0"];
  thresholds[`http_req_failed{step:${rate}}`] = ["rate>=0"];
  thresholds[`http_reqs{step:${rate}}`] = ["count>=0"];
}

export const options = {
  scenarios: {
    ramp: {
      executor: "ramping-arrival-rate",
      startRate: FROM,
      timeUnit: "1s",
      stages,
      preAllocatedVUs: PRE_VUS,
      maxVUs: Math.max(1000, PRE_VUS),
    },
  },
  thresholds,
  summaryTrendStats: ["avg", "med", "p(95)", "p(99)", "max"],
};

export function setup() {
  const admin = adminToken();
  return {
    tokens: customers(Number(__ENV.CUSTOMERS || 50), "saturation"),
    sku: product(admin, 10_000_000, "SATURATION"),
  };
}

/** The step the scenario is in now, or undefined during a ramp (not measured). */
function currentStep() {
  const elapsed = (Date.now() - exec.scenario.startTime) / 1000;
  const index = Math.floor(elapsed / (RAMP_SECONDS + STEP_SECONDS));
  const intoStep = elapsed - index * (RAMP_SECONDS + STEP_SECONDS);
  return intoStep >= RAMP_SECONDS ? RATES[index] : undefined;
}

export default function ({ tokens, sku }) {
  const step = currentStep();
  const tags = { name: "place order" };
  if (step !== undefined) tags.step = String(step);
  http.post(`${BASE}/orders`, JSON.stringify({ items: [{ sku, quantity: 1 }] }), {
    headers: authHeaders(tokens[exec.scenario.iterationInTest % tokens.length]),
    tags,
  });
}

export function handleSummary(data) {
  const metric = (name, rate) => data.metrics[`${name}{step:${rate}}`]?.values;
  const lines = [
    "",
    "| target orders/s | achieved | failed | p50 | p95 | p99 |",
    "|---|---|---|---|---|---|",
  ];
  let saturation;
  for (const rate of RATES) {
    const count = metric("http_reqs", rate)?.count ?? 0;
    const duration = metric("http_req_duration", rate) ?? {};
    const failed = metric("http_req_failed", rate)?.rate ?? 0;
    const achieved = count / STEP_SECONDS;
    const ms = (value) => (value === undefined ? "–" : `${value.toFixed(1)} ms`);
    lines.push(
      `| ${rate} | ${achieved.toFixed(1)} | ${(failed * 100).toFixed(2)} % | ${ms(duration.med)} | ${ms(duration["p(95)"])} | ${ms(duration["p(99)"])} |`,
    );
    if (achieved >= rate * 0.97 && failed === 0 && (duration["p(99)"] ?? Infinity) < LATENCY_MS)
      saturation = rate;
  }
  lines.push(
    "",
    `dropped iterations (no VU was free; ${PRE_VUS} made before the start, PRE_VUS sets it): ${data.metrics.dropped_iterations?.values.count ?? 0}`,
    saturation === undefined
      ? `saturation: below ${FROM} orders/s (no step held with p99 < ${LATENCY_MS} ms)`
      : `saturation: ${saturation} orders/s is the highest step held in full with p99 < ${LATENCY_MS} ms and no failure`,
    "",
  );
  return { stdout: lines.join("\n") };
}
