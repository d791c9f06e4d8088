import { describe, expect, test } from "bun:test";
import { matchRoute } from "./upstream-routes.js";

describe("matchRoute", () => {
  test.each([
    ["POST", "/users", { service: "user", authenticated: false }],
    ["GET", "/users/me", { service: "user", authenticated: true }],
    ["POST", "/auth/login", { service: "user", authenticated: false }],
    ["GET", "/products", { service: "inventory", authenticated: false }],
    ["GET", "/products/MUG-1", { service: "inventory", authenticated: false }],
    ["POST", "/products", { service: "inventory", authenticated: true }],
    ["POST", "/products/MUG-1/replenish", { service: "inventory", authenticated: true }],
    ["POST", "/orders", { service: "order", authenticated: true }],
    ["GET", "/activity", { service: "activity", authenticated: true }],
    ["POST", "/notifications/x/retry", { service: "notification", authenticated: true }],
  ] as const)("%s %s", (method, path, route) => {
    expect(matchRoute(method, path)).toEqual(route);
  });

  test.each([
    "/internal/users/1",
    "/users/internal",
    "/orders/1/internal/x",
    "/usersX",
    "/",
    "/swagger",
    "/metrics",
  ])("%s is not exposed", (path) => {
    expect(matchRoute("GET", path)).toBeUndefined();
  });
});
