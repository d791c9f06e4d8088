/**
 * GET /api/ws?token=… : the notification WebSocket through the edge. The token is verified before
 * the upgrade; then each client socket gets its own upstream socket to the notification service,
 * and messages and closes pass both ways.
 */
import type { TokenVerifier } from "@platform/auth";
import { AppError } from "@platform/errors";
import type { Logger } from "@platform/logging";
import { Elysia, t } from "elysia";

export function websocketProxy({
  notificationUrl,
  verifier,
  logger,
}: {
  notificationUrl: string;
  verifier: TokenVerifier;
  logger: Logger;
}) {
  const upstreamOf = new WeakMap<object, WebSocket>();
  const wsBase = notificationUrl.replace(/^http/, "ws");
  return new Elysia().ws("/api/ws", {
    query: t.Object({ token: t.Optional(t.String({ maxLength: 4096 })) }),
    async beforeHandle({ query }) {
      if (!query.token) throw new AppError("UNAUTHENTICATED", "A token is required (?token=).");
      await verifier.verify(query.token);
    },
    open(ws) {
      const upstream = new WebSocket(`${wsBase}/ws?token=${encodeURIComponent(ws.data.query.token ?? "")}`);
      upstreamOf.set(ws.raw, upstream);
      upstream.onmessage = (message) => ws.send(String(message.data));
      upstream.onclose = () => ws.close();
      upstream.onerror = () => {
        logger.warn("upstream WebSocket failed");
        ws.close();
      };
    },
    message(ws, message) {
      const upstream = upstreamOf.get(ws.raw);
      if (upstream?.readyState === WebSocket.OPEN)
        upstream.send(typeof message === "string" ? message : JSON.stringify(message));
    },
    close(ws) {
      upstreamOf.get(ws.raw)?.close();
      upstreamOf.delete(ws.raw);
    },
  });
}
