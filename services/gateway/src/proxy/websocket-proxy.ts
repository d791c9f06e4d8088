/**
 * GET /api/ws?token=… : the notification WebSocket through the edge. The token is verified before
 * the upgrade; then each client socket gets its own upstream socket to the notification service,
 * and messages and closes pass both ways. A socket lives no longer than its token: it is closed
 * (4401) when the token expires, or as soon as its session or user is revoked.
 */
import type { Principal, Revocation, RevocationList, TokenVerifier } from "@platform/auth";
import { AppError } from "@platform/errors";
import type { Logger } from "@platform/logging";
import { Elysia, t } from "elysia";

/** Application close code: the token that opened the socket is no longer valid. */
export const TOKEN_ENDED = 4401;

interface OpenSocket {
  upstream: WebSocket;
  principal: Principal;
  expiry: Timer;
  close: (reason: string) => void;
}

const concerns = (revocation: Revocation, principal: Principal) =>
  revocation.kind === "session"
    ? principal.sessionId === revocation.id
    : principal.userId === revocation.id && principal.issuedAt * 1000 <= revocation.at;

export function websocketProxy({
  notificationUrl,
  verifier,
  revocations,
  logger,
}: {
  notificationUrl: string;
  verifier: TokenVerifier;
  revocations?: RevocationList;
  logger: Logger;
}) {
  const sockets = new Map<object, OpenSocket>();
  const wsBase = notificationUrl.replace(/^http/, "ws");
  revocations?.on("revoked", (revocation: Revocation) => {
    for (const socket of sockets.values()) {
      if (concerns(revocation, socket.principal)) socket.close("the token was revoked");
    }
  });
  return new Elysia().ws("/api/ws", {
    query: t.Object({ token: t.Optional(t.String({ maxLength: 4096 })) }),
    async beforeHandle({ query }) {
      if (!query.token) throw new AppError("UNAUTHENTICATED", "A token is required (?token=).");
      await verifier.verify(query.token);
    },
    async open(ws) {
      const token = ws.data.query.token ?? "";
      let principal: Principal;
      try {
        principal = await verifier.verify(token); // remembered from beforeHandle: no second check
      } catch {
        ws.close(TOKEN_ENDED, "the token is no longer valid");
        return;
      }
      // The client may have gone while the token was checked: then there is nothing to connect.
      if (ws.raw.readyState !== WebSocket.OPEN) return;
      const upstream = new WebSocket(`${wsBase}/ws?token=${encodeURIComponent(token)}`);
      const close = (reason: string) => ws.close(TOKEN_ENDED, reason);
      const expiry = setTimeout(() => close("the token expired"), principal.expiresAt * 1000 - Date.now());
      sockets.set(ws.raw, { upstream, principal, expiry, close });
      upstream.onmessage = (message) => ws.send(String(message.data));
      upstream.onclose = () => {
        clearTimeout(expiry);
        sockets.delete(ws.raw);
        ws.close();
      };
      upstream.onerror = () => {
        logger.warn("upstream WebSocket failed");
        ws.close();
      };
    },
    message(ws, message) {
      const upstream = sockets.get(ws.raw)?.upstream;
      if (upstream?.readyState === WebSocket.OPEN)
        upstream.send(typeof message === "string" ? message : JSON.stringify(message));
    },
    close(ws) {
      const socket = sockets.get(ws.raw);
      if (!socket) return;
      clearTimeout(socket.expiry);
      socket.upstream.close();
      sockets.delete(ws.raw);
    },
  });
}
