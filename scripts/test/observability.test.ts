/**
 * observability/ cannot be tried against a running Prometheus and Grafana here, so this keeps it
 * honest with Prometheus's own checker (promtool, installed by scripts/test.sh; missing is a
 * failure, never a skip): both scrape configs and the alert rules are valid, the rules' unit tests
 * pass, the scrape targets are the services of compose.yaml, every dashboard query parses as PromQL,
 * and every metric the dashboards and alerts name is in observability/metrics.txt (which the
 * end-to-end suite checks against the live /metrics), with no name there that nothing uses.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "..", "..");
const observability = join(root, "observability");
const read = (path: string) => Bun.file(join(observability, path)).text();

function promtool(...args: string[]): { code: number; output: string } {
  const path = Bun.which("promtool");
  if (!path)
    throw new Error(
      "promtool is missing: bash scripts/test.sh installs it (scripts/lib/promtool.sh), or apt-get install -y prometheus",
    );
  const run = Bun.spawnSync([path, ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  return { code: run.exitCode ?? 1, output: `${run.stdout.toString()}${run.stderr.toString()}` };
}

const services = readdirSync(join(root, "services"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const compose = Bun.YAML.parse(await Bun.file(join(root, "compose.yaml")).text()) as {
  services: Record<string, { environment?: Record<string, string> }>;
};

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Array<{ expr: string; datasource: { uid: string } }>;
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
}
const dashboardFiles = readdirSync(join(observability, "grafana", "dashboards"));
const dashboards = await Promise.all(
  dashboardFiles.map(async (file) => JSON.parse(await read(`grafana/dashboards/${file}`)) as Dashboard),
);
const dashboardExprs = dashboards.flatMap((d) =>
  d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${d.title} › ${p.title}`, expr: t.expr }))),
);
const rules = Bun.YAML.parse(await read("prometheus/alerts.yml")) as {
  groups: Array<{
    rules: Array<{
      alert: string;
      expr: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
    }>;
  }>;
};
const alertRules = rules.groups.flatMap((g) => g.rules);

/** name → the services that export it, from observability/metrics.txt (`name service[,service…]`). */
const metricsText = await read("metrics.txt");
const allowed = new Map(
  metricsText
    .trim()
    .split("\n")
    .map((line) => {
      const [name = "", exporters = ""] = line.split(" ");
      return [name, exporters.split(",")] as const;
    }),
);

// PromQL words that are not metric names: aggregations, functions (also recognised by the "(" after
// them), binary operators, modifiers. `up` is Prometheus's own.
const NOT_METRICS = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan", "up"]);

/** The metric names an expression reads, histogram suffixes stripped. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // strings
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\[[^\]]*\]/g, " ") // ranges and subqueries
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ") // label lists
    .replace(/\$\{?\w+\}?/g, " "); // Grafana's variables
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.:])[a-zA-Z_:][\w:]*/g)) {
    const word = match[0];
    const next = bare.slice((match.index ?? 0) + word.length).trimStart();
    if (next.startsWith("(") || NOT_METRICS.has(word.toLowerCase())) continue;
    names.add(word.replace(/_(?:bucket|sum|count)$/, ""));
  }
  return [...names];
}

/** `service="…"` selectors of an expression, by metric name. */
function serviceSelectors(expr: string): Array<[string, string]> {
  return [...expr.matchAll(/([a-zA-Z_:][\w:]*)\s*\{[^}]*\bservice\s*=\s*"([^"]+)"/g)].map((m) => [
    (m[1] ?? "").replace(/_(?:bucket|sum|count)$/, ""),
    m[2] ?? "",
  ]);
}

describe("Prometheus configuration and rules (promtool)", () => {
  test.each(["prometheus.yml", "prometheus.local.yml"])("promtool check config %s", (file) => {
    const { code, output } = promtool("check", "config", `observability/prometheus/${file}`);
    expect(code, output).toBe(0);
    // rule_files resolve against the config's folder: the alerts were found and checked with it.
    expect(output).toContain("1 rule files found");
  });

  test("promtool check rules alerts.yml", () => {
    const { code, output } = promtool("check", "rules", "observability/prometheus/alerts.yml");
    expect(code, output).toBe(0);
  });

  test("promtool test rules alerts.test.yml (the SLO, a service down, the breaker, dead letters, backlog)", () => {
    const { code, output } = promtool("test", "rules", "observability/prometheus/alerts.test.yml");
    expect(code, output).toBe(0);
  });

  test("every alert has a severity and a description", () => {
    expect(alertRules.length).toBeGreaterThan(0);
    for (const rule of alertRules) {
      expect(["critical", "warning"], rule.alert).toContain(rule.labels?.severity ?? "");
      expect(rule.annotations?.description?.length ?? 0, rule.alert).toBeGreaterThan(0);
    }
  });

  test("the scrape configs reach every service of compose.yaml on its (metrics) port, every 15 s, with the alerts", async () => {
    for (const [file, host] of [
      ["prometheus.yml", (name: string) => name],
      ["prometheus.local.yml", () => "127.0.0.1"],
    ] as const) {
      const config = Bun.YAML.parse(await read(`prometheus/${file}`)) as {
        global: { scrape_interval: string };
        rule_files: string[];
        scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
      };
      expect(config.global.scrape_interval).toBe("15s");
      expect(config.rule_files).toEqual(["alerts.yml"]);
      const jobs = Object.fromEntries(
        config.scrape_configs.map((job) => [job.job_name, job.static_configs.flatMap((s) => s.targets)]),
      );
      expect(Object.keys(jobs).sort()).toEqual([...services].sort());
      for (const name of services) {
        // The gateway serves its metrics on a port of their own, not on the public one.
        const { PORT, METRICS_PORT } = compose.services[name]?.environment ?? {};
        expect(jobs[name], `${file}: ${name}`).toEqual([`${host(name)}:${METRICS_PORT ?? PORT}`]);
      }
    }
  });
});

describe("Grafana", () => {
  test("the provisioning names Prometheus (by the uid the dashboards use) and Jaeger, and the dashboards' folder", async () => {
    const { datasources } = Bun.YAML.parse(
      await read("grafana/provisioning/datasources/datasources.yml"),
    ) as {
      datasources: Array<{ uid: string; type: string; url: string }>;
    };
    expect(datasources.find((d) => d.type === "prometheus")).toMatchObject({
      uid: "prometheus",
      url: "http://prometheus:9090",
    });
    expect(datasources.find((d) => d.type === "jaeger")?.url).toBe("http://jaeger:16686");
    const { providers } = Bun.YAML.parse(await read("grafana/provisioning/dashboards/dashboards.yml")) as {
      providers: Array<{ type: string; options: { path: string } }>;
    };
    expect(providers).toEqual([
      expect.objectContaining({
        type: "file",
        options: expect.objectContaining({ path: "/var/lib/grafana/dashboards" }),
      }),
    ]);
  });

  test("the three dashboards are Grafana JSON with unique uids, laid out panels, Prometheus by uid", () => {
    expect(dashboards.map((d) => d.uid).sort()).toEqual([
      "events-notifications",
      "orders",
      "platform-overview",
    ]);
    for (const dashboard of dashboards) {
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
      expect(dashboard.title.length).toBeGreaterThan(0);
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size, `${dashboard.title}: panel ids`).toBe(ids.length);
      for (const panel of dashboard.panels) {
        expect(panel.gridPos.x + panel.gridPos.w, `${dashboard.title} › ${panel.title}`).toBeLessThanOrEqual(
          24,
        );
        if (panel.type === "row") continue;
        expect(panel.datasource?.uid, panel.title).toBe("prometheus");
        expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
        for (const target of panel.targets ?? [])
          expect(target.datasource.uid, panel.title).toBe("prometheus");
      }
    }
  });

  test("every dashboard query is valid PromQL (promtool, Grafana's variables given values)", () => {
    const dir = mkdtempSync(join(tmpdir(), "dashboards-promql-"));
    try {
      const asRules = {
        groups: [
          {
            name: "dashboards",
            rules: dashboardExprs.map(({ expr }, i) => ({
              record: `dashboard:query_${i}`,
              expr: expr
                .replaceAll("$__rate_interval", "1m")
                .replaceAll("$__interval", "15s")
                .replaceAll("$__range", "1h"),
            })),
          },
        ],
      };
      // JSON is YAML: promtool reads it as a rules file.
      writeFileSync(join(dir, "dashboards.yml"), JSON.stringify(asRules, null, 2));
      const { code, output } = promtool("check", "rules", join(dir, "dashboards.yml"));
      expect(code, output).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("observability/metrics.txt", () => {
  test("is `name service[,service…]` per line, with the services of services/", () => {
    for (const line of metricsText.trimEnd().split("\n")) {
      expect(line).toMatch(/^[a-z_:][a-z0-9_:]* [a-z]+(,[a-z]+)*$/);
      for (const service of line.split(" ")[1]?.split(",") ?? []) expect(services, line).toContain(service);
    }
    expect(allowed.size).toBe(metricsText.trim().split("\n").length);
  });

  test("lists every metric the dashboards and alerts name, and nothing else", () => {
    const used = new Map<string, string>();
    for (const { where, expr } of [
      ...dashboardExprs,
      ...alertRules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
    ])
      for (const name of metricNames(expr)) used.set(name, where);
    const unlisted = [...used]
      .filter(([name]) => !allowed.has(name))
      .map(([name, where]) => `${name} (${where})`);
    expect(unlisted, "not in observability/metrics.txt").toEqual([]);
    const unused = [...allowed.keys()].filter((name) => !used.has(name));
    expect(unused, "in observability/metrics.txt but used nowhere").toEqual([]);
  });

  test('a query that picks service="…" picks a service that exports the metric', () => {
    for (const expr of [...dashboardExprs.map((d) => d.expr), ...alertRules.map((r) => r.expr)])
      for (const [name, service] of serviceSelectors(expr))
        expect(allowed.get(name) ?? [], `${name}{service="${service}"}`).toContain(service);
  });

  test("the name parser finds metrics, not functions, labels, durations or variables", () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, service) (rate(a_seconds_bucket{route!~"/x|b_total"}[$__rate_interval]))) > 0.3 and on () count(up offset 10m) or max by (x) (c) / d_count unless e[5m:1m]',
      ).sort(),
    ).toEqual(["a_seconds", "c", "d", "e"]);
  });
});
