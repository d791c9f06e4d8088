/**
 * GET /ws?token=… : a WebSocket for a logged-in user; the notification service pushes
 * `{type:"notification",notification}` for the user's orders to every socket they have open.
 * The token is checked before the upgrade (401 without a valid one).
 */
import { bearerToken, type TokenVerifier } from "@platform/auth";
import { AppError } from "@platform/errors";
import { Elysia, t } from "elysia";
import type { SocketHub } from "../ws/socket-hub.js";

export function websocketRoutes({ verifier, hub }: { verifier: TokenVerifier; hub: SocketHub }) {
  const tokenOf = (query: { token?: string }, authorization: string | null) =>
    query.token ?? bearerToken(authorization);
  const users = new WeakMap<object, string>();
  return new Elysia({ tags: ["notifications"] }).ws("/ws", {
    query: t.Object({ token: t.Optional(t.String({ maxLength: 4096 })) }),
    async beforeHandle({ query, request }) {
      const token = tokenOf(query, request.headers.get("authorization"));
      if (!token) throw new AppError("UNAUTHENTICATED", "A token is required (?token=).");
      await verifier.verify(token);
    },
    async open(ws) {
      const token = tokenOf(ws.data.query, ws.data.request.headers.get("authorization"));
      let userId: string;
      try {
        userId = (await verifier.verify(token ?? "")).userId;
      } catch {
        ws.close(4401, "the token is no longer valid"); // expired or revoked since the upgrade
        return;
      }
      // Closed while its token was checked: close() found no user to remove, so it must not be added.
      if (ws.raw.readyState !== WebSocket.OPEN) return;
      users.set(ws.raw, userId);
      hub.add(userId, ws.raw);
      ws.send(JSON.stringify({ type: "welcome", userId }));
    },
    close(ws) {
      const userId = users.get(ws.raw);
      if (userId) hub.remove(userId, ws.raw);
    },
    message(ws, message) {
      // Clients only listen; a ping keeps a proxy from closing an idle connection.
      if (message === "ping") ws.send("pong");
    },
  });
}
