/**
 * compose.yaml cannot run here (no Docker engine), so this keeps it honest: the infrastructure
 * images the architecture names, one healthy-checked entry per service folder, built from the one
 * Dockerfile with that service's name, the observability profile with the files it mounts, and the
 * exposure: only the gateway, the sinks' pages and the observability UIs (on loopback) published,
 * every store behind a password that comes from .env, never from the file.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..", "..");

interface ComposeService {
  image?: string;
  command?: string[];
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  volumes?: string[];
}

const compose = Bun.YAML.parse(await Bun.file(join(root, "compose.yaml")).text()) as {
  services: Record<string, ComposeService>;
};
const serviceFolders = readdirSync(join(root, "services"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe("compose.yaml", () => {
  test("runs the infrastructure of the architecture on real images, each with a health check", () => {
    const { postgres, redis, mongo, mailpit } = compose.services;
    expect(postgres?.image).toBe("postgres:16");
    expect(redis?.image).toBe("redis:7");
    expect(redis?.command).toEqual(expect.arrayContaining(["--appendonly", "yes"]));
    expect(mongo?.image).toBe("mongo:7");
    expect(mailpit?.image).toStartWith("axllent/mailpit");
    for (const infra of [postgres, redis, mongo, mailpit])
      expect(infra?.healthcheck?.test.length).toBeGreaterThan(0);
  });

  test("every service folder has an entry built from the one Dockerfile, with a port and a health check", () => {
    expect(serviceFolders.length).toBeGreaterThan(0);
    for (const name of serviceFolders) {
      const entry = compose.services[name];
      expect(entry, `compose.yaml has no entry for services/${name}`).toBeDefined();
      expect(entry?.build).toMatchObject({ context: ".", dockerfile: "Dockerfile", args: { SERVICE: name } });
      const port = entry?.environment?.PORT;
      expect(port, `services/${name} sets PORT`).toMatch(/^\d+$/);
      expect(entry?.healthcheck?.test.join(" ")).toContain(`127.0.0.1:${port}/ready`);
      // Started only once what it needs is healthy.
      const conditions = Object.values(entry?.depends_on ?? {}).map((d) => d.condition);
      expect(conditions.length).toBeGreaterThan(0);
      expect(new Set(conditions)).toEqual(new Set(["service_healthy"]));
      expect(existsSync(join(root, "services", name, "src", "main.ts"))).toBe(true);
    }
  });

  test("the notification service sends text messages to the SMS sink, which runs from the same image", () => {
    const sink = compose.services["sms-sink"];
    expect(sink?.command).toEqual(["bun", "scripts/sms-sink.ts"]);
    expect(existsSync(join(root, "scripts", "sms-sink.ts"))).toBe(true);
    expect(sink?.healthcheck?.test.join(" ")).toContain("127.0.0.1:8026/ready");
    expect(compose.services.notification?.environment?.SMS_URL).toContain("http://sms-sink:8026/messages");
    expect(compose.services.notification?.depends_on?.["sms-sink"]).toEqual({ condition: "service_healthy" });
  });

  test("only the gateway, the development sinks' pages and the observability UIs (on loopback) are published", () => {
    const published = Object.entries(compose.services)
      .filter(([, entry]) => (entry.ports ?? []).length > 0)
      .map(([name, entry]) => [name, entry.ports]);
    expect(Object.fromEntries(published)).toEqual({
      gateway: ["8080:8080"],
      mailpit: ["127.0.0.1:8025:8025"],
      "sms-sink": ["127.0.0.1:8026:8026"],
      prometheus: ["127.0.0.1:9090:9090"],
      grafana: ["127.0.0.1:3000:3000"],
      jaeger: ["127.0.0.1:16686:16686"],
    });
  });

  test("the observability profile runs Prometheus, Grafana and Jaeger on the repository's files, and only it", () => {
    const { prometheus, grafana, jaeger } = compose.services;
    const profiled = Object.entries(compose.services).filter(([, entry]) => entry.profiles !== undefined);
    expect(Object.fromEntries(profiled.map(([name, entry]) => [name, entry.profiles]))).toEqual({
      prometheus: ["observability"],
      grafana: ["observability"],
      jaeger: ["observability"],
    });
    expect(prometheus?.image).toStartWith("prom/prometheus:");
    expect(grafana?.image).toStartWith("grafana/grafana:");
    expect(jaeger?.image).toMatch(/^jaegertracing\/(jaeger:2\.|all-in-one:1\.)/);
    // The repository's folders, mounted where each image reads them.
    const mounts = (entry?: ComposeService) =>
      Object.fromEntries(
        (entry?.volumes ?? [])
          .filter((volume) => volume.startsWith("./"))
          .map((volume) => volume.split(":").slice(0, 2).reverse()),
      );
    expect(mounts(prometheus)).toEqual({ "/etc/prometheus": "./observability/prometheus" });
    expect(mounts(grafana)).toEqual({
      "/etc/grafana/provisioning/datasources": "./observability/grafana/provisioning/datasources",
      "/etc/grafana/provisioning/dashboards": "./observability/grafana/provisioning/dashboards",
      "/var/lib/grafana/dashboards": "./observability/grafana/dashboards",
    });
    expect(prometheus?.command).toContain("--config.file=/etc/prometheus/prometheus.yml");
    for (const file of [
      "observability/prometheus/prometheus.yml",
      "observability/prometheus/alerts.yml",
      "observability/grafana/provisioning/datasources/datasources.yml",
      "observability/grafana/provisioning/dashboards/dashboards.yml",
    ])
      expect(existsSync(join(root, file)), file).toBe(true);
    const home = grafana?.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? "";
    expect(home).toStartWith("/var/lib/grafana/dashboards/");
    expect(existsSync(join(root, "observability/grafana/dashboards", home.split("/").pop() ?? "-"))).toBe(
      true,
    );
    expect(grafana?.environment?.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe("Viewer");
  });

  test("every service sends traces where OTEL_EXPORTER_OTLP_ENDPOINT says, and nowhere by default", () => {
    for (const name of serviceFolders)
      expect(compose.services[name]?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's interpolation, not a template
        "${OTEL_EXPORTER_OTLP_ENDPOINT:-}",
      );
  });

  test("Postgres, Redis, MongoDB and Grafana require passwords, taken from the environment, and the services use them", async () => {
    const text = await Bun.file(join(root, "compose.yaml")).text();
    const { postgres, redis, mongo, gateway } = compose.services;
    const fromEnv = /^\$\{[A-Z_]+:\?[^}]+\}$/;
    expect(postgres?.environment?.POSTGRES_PASSWORD).toMatch(fromEnv);
    expect(mongo?.environment?.MONGO_INITDB_ROOT_PASSWORD).toMatch(fromEnv);
    expect(redis?.command?.[redis.command.indexOf("--requirepass") + 1]).toMatch(fromEnv);
    expect(compose.services.grafana?.environment?.GF_SECURITY_ADMIN_PASSWORD).toMatch(fromEnv);
    const env = gateway?.environment ?? {};
    expect(env.POSTGRES_URL).toContain("${POSTGRES_PASSWORD");
    expect(env.REDIS_URL).toContain("${REDIS_PASSWORD");
    expect(env.MONGO_URL).toContain("${MONGO_PASSWORD");
    // No literal password anywhere in the file.
    expect(text).not.toMatch(/PASSWORD: [^$\s]/);
  });

  test("no secret enters an image: .env (compose-env.sh's passwords) and the data folder (keys) stay out of the build context", async () => {
    const ignored = (await Bun.file(join(root, ".dockerignore")).text())
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"));
    expect(ignored).toEqual(expect.arrayContaining([".env", ".env.*", ".data", ".git"]));
  });

  test("the Dockerfile runs the service named by its build argument on the pinned Bun image", async () => {
    const dockerfile = await Bun.file(join(root, "Dockerfile")).text();
    const { packageManager } = (await Bun.file(join(root, "package.json")).json()) as {
      packageManager: string;
    };
    expect(dockerfile).toContain(`FROM oven/bun:${packageManager.replace("bun@", "")}`);
    expect(dockerfile).toContain("ARG SERVICE");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable in the Dockerfile, not a template
    expect(dockerfile).toContain("services/${SERVICE}/src/main.ts");
  });
});
