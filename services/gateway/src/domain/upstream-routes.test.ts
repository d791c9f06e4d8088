import { describe, expect, test } from "bun:test";
import { matchRoute } from "./upstream-routes.js";

describe("matchRoute", () => {
  test.each([
    ["POST", "/users", { service: "user", authenticated: false, label: "/api/users" }],
    ["GET", "/users/me", { service: "user", authenticated: true, label: "/api/users/*" }],
    ["POST", "/auth/login", { service: "user", authenticated: false, label: "/api/auth/*" }],
    ["GET", "/products", { service: "inventory", authenticated: false, label: "/api/products" }],
    ["GET", "/products/MUG-1", { service: "inventory", authenticated: false, label: "/api/products/*" }],
    ["POST", "/products", { service: "inventory", authenticated: true, label: "/api/products" }],
    [
      "POST",
      "/products/MUG-1/replenish",
      { service: "inventory", authenticated: true, label: "/api/products/*" },
    ],
    ["POST", "/orders", { service: "order", authenticated: true, label: "/api/orders" }],
    ["GET", "/activity", { service: "activity", authenticated: true, label: "/api/activity" }],
    [
      "POST",
      "/notifications/x/retry",
      { service: "notification", authenticated: true, label: "/api/notifications/*" },
    ],
    ["POST", "/orders/1/payment", { service: "payment", authenticated: true, label: "/api/orders/*" }],
    ["POST", "/orders/1/refund", { service: "payment", authenticated: true, label: "/api/orders/*" }],
    ["POST", "/orders/1/cancel", { service: "order", authenticated: true, label: "/api/orders/*" }],
    ["GET", "/payments", { service: "payment", authenticated: true, label: "/api/payments" }],
    [
      "POST",
      "/admin/dead-letters/replay",
      { service: "activity", authenticated: true, label: "/api/admin/dead-letters/*" },
    ],
    [
      "POST",
      "/payments/webhooks/stripe",
      { service: "payment", authenticated: false, label: "/api/payments/*" },
    ],
    [
      "GET",
      "/payments/sandbox/1/checkout",
      { service: "payment", authenticated: false, label: "/api/payments/*" },
    ],
    [
      "POST",
      "/payments/sandbox/1/confirm",
      { service: "payment", authenticated: true, label: "/api/payments/*" },
    ],
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
