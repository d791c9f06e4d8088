/** Prints the figures of a k6 --summary-export file that BENCHMARKS.md records. */
export {};

interface Metric {
  rate?: number;
  count?: number;
  value?: number;
  med?: number;
  "p(95)"?: number;
  "p(99)"?: number;
  passes?: number;
  fails?: number;
}

const [file = "", name = "run"] = process.argv.slice(2);
const { metrics } = (await Bun.file(file).json()) as { metrics: Record<string, Metric> };
const duration = metrics.http_req_duration ?? {};
const ms = (value: number | undefined) => (value === undefined ? "-" : `${value.toFixed(1)} ms`);
console.log(`\n${name}: ${file}`);
console.log(`  requests/s   ${metrics.http_reqs?.rate?.toFixed(1)} (${metrics.http_reqs?.count} requests)`);
console.log(
  `  latency      p50 ${ms(duration.med)}   p95 ${ms(duration["p(95)"])}   p99 ${ms(duration["p(99)"])}`,
);
console.log(`  failed       ${((metrics.http_req_failed?.value ?? 0) * 100).toFixed(2)} %`);
console.log(`  checks       ${metrics.checks?.passes ?? 0} passed, ${metrics.checks?.fails ?? 0} failed`);
for (const [key, metric] of Object.entries(metrics)) {
  if (key.startsWith("http_req_duration{name:")) {
    console.log(
      `  ${key.slice("http_req_duration".length)}  p50 ${ms(metric.med)}  p95 ${ms(metric["p(95)"])}  p99 ${ms(metric["p(99)"])}`,
    );
  }
}
