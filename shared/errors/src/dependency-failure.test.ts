import { describe, expect, test } from "bun:test";
import { isDependencyFailure } from "./dependency-failure.js";

/** An error as the MongoDB driver raises it for a server's answer: named MongoServerError, a numeric code. */
const mongoServerError = (code: number, message: string) =>
  Object.assign(new Error(message), { name: "MongoServerError", code });

describe("isDependencyFailure", () => {
  test("a MongoDB server shutting down or a primary stepping down is an outage, to be waited out", () => {
    for (const [code, message] of [
      [11600, "interrupted at shutdown"],
      [91, "The server is in quiesce mode and will shut down"],
      [10107, "not primary"],
      [189, "primary stepped down"],
    ] as const) {
      expect([code, isDependencyFailure(mongoServerError(code, message))]).toEqual([code, true]);
    }
  });

  test("so is the same code on a bulk write's error (insertMany) or a write concern's", () => {
    for (const name of ["MongoBulkWriteError", "MongoWriteConcernError"]) {
      const error = Object.assign(new Error("not primary"), { name, code: 10107 });
      expect([name, isDependencyFailure(error)]).toEqual([name, true]);
    }
    expect(
      isDependencyFailure(Object.assign(new Error("E11000"), { name: "MongoBulkWriteError", code: 11000 })),
    ).toBe(false);
  });

  test("a MongoDB answer about the request itself is not", () => {
    expect(isDependencyFailure(mongoServerError(11000, "E11000 duplicate key error"))).toBe(false);
    expect(isDependencyFailure(mongoServerError(2, "unknown operator: $foo"))).toBe(false);
  });

  test("Postgres away or cancelling a statement is; a constraint violation is not", () => {
    expect(isDependencyFailure(Object.assign(new Error("terminating connection"), { code: "57P01" }))).toBe(
      true,
    );
    expect(isDependencyFailure(Object.assign(new Error("canceling statement"), { code: "57014" }))).toBe(
      true,
    );
    expect(isDependencyFailure(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
  });

  test("a cause is looked through", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(isDependencyFailure(new Error("insert failed", { cause: refused }))).toBe(true);
  });
});
