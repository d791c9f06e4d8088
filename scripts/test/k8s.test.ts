/**
 * deploy/k8s cannot be applied here (no cluster, no kubectl), so this keeps the Kustomize base
 * honest: every file it lists exists and parses, and every service folder has a Deployment and a
 * Service on the port compose gives it, with readiness on /ready and liveness on /health.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..", "..");
const base = join(root, "deploy", "k8s", "base");

interface Container {
  image: string;
  ports: Array<{ name: string; containerPort: number }>;
  readinessProbe: { httpGet: { path: string } };
  livenessProbe: { httpGet: { path: string } };
}

interface Resource {
  kind: string;
  metadata: { name: string };
  spec: { template?: { spec: { containers: Container[] } }; ports?: Array<{ port: number }> };
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
});
