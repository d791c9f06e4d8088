import { describe, expect, test } from "bun:test";
import { ConfigError, currency, Env, loadConfig, logLevel, port, url } from "../src/index.js";

const schema = Env.Object({
  PORT: port(3001),
  POSTGRES_URL: url(["postgres", "postgresql"], "postgres://platform:platform@127.0.0.1:5432/platform"),
  LOG_LEVEL: logLevel(),
  JWT_PRIVATE_KEY: Env.Optional(Env.String({ minLength: 32 })),
  ORDER_TTL_SECONDS: Env.Integer({ minimum: 1, default: 900 }),
  MAIL_ENABLED: Env.Boolean({ default: false }),
  CURRENCY: currency("EUR"),
});

describe("loadConfig", () => {
  test("defaults let a service run with nothing set", () => {
    expect(loadConfig(schema, {})).toEqual({
      PORT: 3001,
      POSTGRES_URL: "postgres://platform:platform@127.0.0.1:5432/platform",
      LOG_LEVEL: "info",
      ORDER_TTL_SECONDS: 900,
      MAIL_ENABLED: false,
      CURRENCY: "EUR",
    });
  });

  test("converts strings to numbers and booleans, and freezes the result", () => {
    const config = loadConfig(schema, { PORT: "8080", MAIL_ENABLED: "true", ORDER_TTL_SECONDS: "60" });
    expect(config.PORT).toBe(8080);
    expect(config.MAIL_ENABLED).toBe(true);
    expect(config.ORDER_TTL_SECONDS).toBe(60);
    expect(Object.isFrozen(config)).toBe(true);
  });

  test("an empty variable counts as unset", () => {
    expect(loadConfig(schema, { PORT: "" }).PORT).toBe(3001);
  });

  test.each([
    ["PORT", "abc", /^invalid environment variable PORT="abc": /],
    ["PORT", "70000", /^invalid environment variable PORT="70000": /],
    ["POSTGRES_URL", "mysql://x", /^invalid environment variable POSTGRES_URL="mysql:\/\/x": /],
    ["LOG_LEVEL", "loud", /^invalid environment variable LOG_LEVEL="loud": /],
    ["CURRENCY", "XYZ", /^invalid environment variable CURRENCY="XYZ": /],
  ])("a malformed %s=%s is one line naming it", (name, value, message) => {
    const load = () => loadConfig(schema, { [name]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
    try {
      load();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain("\n");
    }
  });

  test("a secret's value is never echoed", () => {
    expect(() => loadConfig(schema, { JWT_PRIVATE_KEY: "short-secret" })).toThrow(
      /^invalid environment variable JWT_PRIVATE_KEY=\(hidden\): /,
    );
  });

  test("a required variable without a default is reported missing", () => {
    const strict = Env.Object({ ADMIN_EMAIL: Env.String({ minLength: 3 }) });
    expect(() => loadConfig(strict, {})).toThrow(/^missing environment variable ADMIN_EMAIL/);
  });
});
