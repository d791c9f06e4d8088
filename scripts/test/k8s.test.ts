/**
 * deploy/k8s cannot be applied here (no cluster, no kubectl), so this keeps the Kustomize base
 * honest: every file it lists exists and parses, and every service folder has a Deployment and a
 * Service on the port compose gives it, with readiness on /ready and liveness on /health. And the
 * observability component: its files exist, its copies of observability/ are current, Prometheus
 * scrapes every service, and the services' traces go to its Jaeger.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { serviceSettings } from "../../shared/config/src/index.js";

const root = join(import.meta.dir, "..", "..");
const base = join(root, "deploy", "k8s", "base");

interface Probe {
  httpGet: { path: string };
  periodSeconds?: number;
  failureThreshold?: number;
  timeoutSeconds?: number;
}

interface Container {
  image: string;
  ports: Array<{ name: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  startupProbe?: Probe;
  readinessProbe: Probe;
  livenessProbe: Probe;
}

interface Resource {
  kind: string;
  metadata: { name: string };
  spec: {
    template?: { spec: { containers: Container[] } };
    ports?: Array<{ name?: string; port: number }>;
    ingress?: Array<{ from: unknown[]; ports: Array<{ port: string }> }>;
  };
}

const kustomization = Bun.YAML.parse(await Bun.file(join(base, "kustomization.yaml")).text()) as {
  resources: string[];
};
const resources: Resource[] = [];
for (const file of kustomization.resources) {
  const parsed = Bun.YAML.parse(await Bun.file(join(base, file)).text()) as Resource | Resource[];
  resources.push(...(Array.isArray(parsed) ? parsed : [parsed]));
}
const compose = Bun.YAML.parse(await Bun.file(join(root, "compose.yaml")).text()) as {
  services: Record<string, { environment?: Record<string, string> }>;
};
const services = readdirSync(join(root, "services"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe("deploy/k8s/base", () => {
  test("lists only files that exist", () => {
    for (const file of kustomization.resources) expect(existsSync(join(base, file))).toBe(true);
  });

  test("every service has a Deployment and a Service on its port, with /ready and /health probes", () => {
    for (const name of services) {
      const port = Number(compose.services[name]?.environment?.PORT);
      const deployment = resources.find((r) => r.kind === "Deployment" && r.metadata.name === name);
      const service = resources.find((r) => r.kind === "Service" && r.metadata.name === name);
      const container = deployment?.spec.template?.spec.containers[0];
      if (!container || !service) throw new Error(`no Deployment or Service for ${name}`);
      expect(container.image).toBe(`order-platform/${name}`);
      expect(container.ports[0]).toEqual({ name: "http", containerPort: port });
      expect(container.readinessProbe.httpGet.path).toBe("/ready");
      expect(container.livenessProbe.httpGet.path).toBe("/health");
      expect(service.spec.ports?.[0]?.port).toBe(port);
    }
  });

  test("a pod that starts while a store is down waits for it; no probe gives up before /ready's checks can", () => {
    const startupTimeoutSeconds = serviceSettings(0).STARTUP_TIMEOUT_MS.default / 1000;
    for (const name of services) {
      const container = resources.find((r) => r.kind === "Deployment" && r.metadata.name === name)?.spec
        .template?.spec.containers[0];
      const startup = container?.startupProbe;
      // Liveness (which restarts the pod) begins only after the startup probe has passed.
      expect([name, startup?.httpGet.path]).toEqual([name, "/health"]);
      expect((startup?.periodSeconds ?? 10) * (startup?.failureThreshold ?? 3)).toBeGreaterThan(
        startupTimeoutSeconds,
      );
      // Each readiness check may take 2 s (httpKernel's readinessTimeoutMs); the kubelet's default is 1 s.
      expect(container?.readinessProbe.timeoutSeconds ?? 1).toBeGreaterThan(2);
      expect(container?.livenessProbe.timeoutSeconds ?? 1).toBeGreaterThan(2);
    }
  });

  test("the notification service's ADMIN_EMAILS (who hears of stock.low) is the Secret's ADMIN_EMAIL", () => {
    const container = resources.find((r) => r.kind === "Deployment" && r.metadata.name === "notification")
      ?.spec.template?.spec.containers[0];
    expect(container?.env?.find((e) => e.name === "ADMIN_EMAILS")?.valueFrom?.secretKeyRef).toMatchObject({
      name: "platform-secrets",
      key: "ADMIN_EMAIL",
    });
  });
});

const component = join(root, "deploy", "k8s", "components", "observability");
const componentKustomization = Bun.YAML.parse(
  await Bun.file(join(component, "kustomization.yaml")).text(),
) as {
  kind: string;
  resources: string[];
  configMapGenerator: Array<{ name: string; behavior?: string; files?: string[]; literals?: string[] }>;
};
const componentResources: Resource[] = [];
for (const file of componentKustomization.resources) {
  const parsed = Bun.YAML.parse(await Bun.file(join(component, file)).text()) as Resource | Resource[];
  componentResources.push(...(Array.isArray(parsed) ? parsed : [parsed]));
}
const generated = (name: string) => componentKustomization.configMapGenerator.find((g) => g.name === name);

describe("deploy/k8s/components/observability", () => {
  test("is a Component whose resources and generated files exist, used by the example overlay", async () => {
    expect(componentKustomization.kind).toBe("Component");
    const files = componentKustomization.configMapGenerator.flatMap((g) => g.files ?? []);
    for (const file of [...componentKustomization.resources, ...files])
      expect(existsSync(join(component, file)), file).toBe(true);
    for (const name of ["prometheus", "grafana", "jaeger"]) {
      expect(
        componentResources.find((r) => r.kind === "Deployment" && r.metadata.name === name),
      ).toBeDefined();
      expect(componentResources.find((r) => r.kind === "Service" && r.metadata.name === name)).toBeDefined();
    }
    const overlay = Bun.YAML.parse(
      await Bun.file(join(root, "deploy", "k8s", "overlays", "observability", "kustomization.yaml")).text(),
    ) as { resources: string[]; components: string[] };
    expect(overlay).toMatchObject({
      resources: ["../../base"],
      components: ["../../components/observability"],
    });
  });

  test("holds current copies of observability/ (alerts, Grafana provisioning, every dashboard)", async () => {
    const dashboards = readdirSync(join(root, "observability", "grafana", "dashboards"));
    const copies: Record<string, string> = {
      "prometheus/alerts.yml": "observability/prometheus/alerts.yml",
      "grafana/datasources.yml": "observability/grafana/provisioning/datasources/datasources.yml",
      "grafana/dashboards.yml": "observability/grafana/provisioning/dashboards/dashboards.yml",
      ...Object.fromEntries(
        dashboards.map((f) => [`grafana/dashboards/${f}`, `observability/grafana/dashboards/${f}`]),
      ),
    };
    for (const [copy, original] of Object.entries(copies)) {
      const [a, b] = await Promise.all([
        Bun.file(join(component, copy)).text(),
        Bun.file(join(root, original)).text(),
      ]);
      expect(
        a === b,
        `deploy/k8s/components/observability/${copy} differs from ${original}: copy it again`,
      ).toBe(true);
    }
    expect([...(generated("grafana-dashboards")?.files ?? [])].sort()).toEqual(
      dashboards.map((f) => `grafana/dashboards/${f}`).sort(),
    );
    expect(generated("prometheus-config")?.files).toEqual([
      "prometheus/prometheus.yml",
      "prometheus/alerts.yml",
    ]);
  });

  test("Prometheus scrapes every service's http port (the gateway's metrics port), by the service's name, with the alert rules", async () => {
    const config = Bun.YAML.parse(await Bun.file(join(component, "prometheus", "prometheus.yml")).text()) as {
      global: { scrape_interval: string };
      rule_files: string[];
      scrape_configs: Array<{
        relabel_configs: Array<{ action?: string; regex?: string; target_label?: string }>;
      }>;
    };
    expect(config.global.scrape_interval).toBe("15s");
    expect(config.rule_files).toEqual(["alerts.yml"]);
    const relabel = config.scrape_configs[0]?.relabel_configs ?? [];
    const keep = relabel.find((r) => r.action === "keep")?.regex ?? "";
    const [others, gateway] = keep.split("|gateway;");
    const [names, port] = (others ?? "").split(";");
    expect(new Set([...(names?.replace(/[()]/g, "").split("|") ?? []), "gateway"])).toEqual(
      new Set(services),
    );
    expect(port).toBe("http");
    expect(gateway).toBe("metrics");
    const regex = new RegExp(`^(?:${keep})$`);
    expect(["order;http", "gateway;metrics"].every((s) => regex.test(s))).toBe(true);
    expect(["gateway;http", "order;metrics"].some((s) => regex.test(s))).toBe(false);
    expect(relabel.some((r) => r.target_label === "job")).toBe(true);
    const policy = componentResources.find((r) => r.kind === "NetworkPolicy");
    expect(policy?.spec.ingress?.[0]?.from).toEqual([
      { podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } },
    ]);
    expect(policy?.spec.ingress?.[0]?.ports).toEqual([{ port: "http" }]);
  });

  test("the services' traces go to the Jaeger Service's OTLP/HTTP port", () => {
    const patch = generated("platform-config");
    expect(patch?.behavior).toBe("merge");
    const endpoint = patch?.literals
      ?.find((l) => l.startsWith("OTEL_EXPORTER_OTLP_ENDPOINT="))
      ?.split("=")[1];
    const jaeger = componentResources.find((r) => r.kind === "Service" && r.metadata.name === "jaeger");
    const otlp = jaeger?.spec.ports?.find((p) => p.name === "otlp-http");
    expect(endpoint).toBe(`http://jaeger:${otlp?.port}`);
    expect(otlp?.port).toBe(4318);
  });
});
