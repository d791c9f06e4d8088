/**
 * GET /api/ws?token=… : the notification WebSocket through the edge. The token is verified before
 * the upgrade; then each client socket gets its own upstream socket to the notification service,
 * and messages and closes pass both ways (the upstream's close code with them; 1013, "try again
 * later", when the notification service cannot be reached). A socket lives no longer than its
 * token: it is closed (4401) when the token expires, or as soon as its session or user is revoked.
 * A user holds at most `maxSocketsPerUser` sockets on this replica: one more is 429 before the
 * upgrade (an open socket costs the edge and the notification service a connection each, and no
 * request limit counts it once open).
 */
import type { Principal, Revocation, RevocationList, TokenVerifier } from "@platform/auth";
import { AppError } from "@platform/errors";
import type { Logger } from "@platform/logging";
import { Elysia, t } from "elysia";

/** Application close code: the token that opened the socket is no longer valid. */
export const TOKEN_ENDED = 4401;
/** The notification service could not be reached: the client should try again later (RFC 6455). */
const TRY_AGAIN_LATER = 1013;
/** Sent when a socket is opened past the per-user cap by a race of upgrades (RFC 6455 policy). */
const POLICY_VIOLATION = 1008;
/** A place frees when a socket of the user's closes: no clock says when, so a guess a client can wait. */
const SOCKET_RETRY_AFTER_SECONDS = 5;
/** Codes a close frame may not carry (RFC 6455 §7.4.1): no status, abnormal, TLS failure. */
const UNSENDABLE_CODES = new Set([1005, 1006, 1015]);

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
  maxSocketsPerUser,
  verifier,
  revocations,
  logger,
}: {
  notificationUrl: string;
  maxSocketsPerUser: number;
  verifier: TokenVerifier;
  revocations?: RevocationList;
  logger: Logger;
}) {
  const sockets = new Map<object, OpenSocket>();
  const countFor = (userId: string) => {
    let open = 0;
    for (const socket of sockets.values()) if (socket.principal.userId === userId) open++;
    return open;
  };
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
      const { userId } = await verifier.verify(query.token);
      if (countFor(userId) >= maxSocketsPerUser) {
        throw new AppError(
          "RATE_LIMITED",
          `At most ${maxSocketsPerUser} live sockets per user are open at once.`,
          {},
          { "retry-after": String(SOCKET_RETRY_AFTER_SECONDS) },
        );
      }
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
      // Upgrades racing past the check before the upgrade: the last ones over the cap are closed.
      if (countFor(principal.userId) >= maxSocketsPerUser) {
        ws.close(POLICY_VIOLATION, "too many live sockets for this user");
        return;
      }
      const upstream = new WebSocket(`${wsBase}/ws?token=${encodeURIComponent(token)}`);
      const close = (reason: string) => ws.close(TOKEN_ENDED, reason);
      const expiry = setTimeout(() => close("the token expired"), principal.expiresAt * 1000 - Date.now());
      sockets.set(ws.raw, { upstream, principal, expiry, close });
      upstream.onmessage = (message) => ws.send(String(message.data));
      upstream.onclose = (event) => {
        forget(ws.raw);
        if (!UNSENDABLE_CODES.has(event.code)) ws.close(event.code, event.reason);
        else ws.close(TRY_AGAIN_LATER, "the notification service went away");
      };
      upstream.onerror = () => {
        logger.warn("upstream WebSocket failed");
        ws.close(TRY_AGAIN_LATER, "the notification service cannot be reached");
      };
    },
    message(ws, message) {
      const upstream = sockets.get(ws.raw)?.upstream;
      if (upstream?.readyState === WebSocket.OPEN)
        upstream.send(typeof message === "string" ? message : JSON.stringify(message));
    },
    close(ws) {
      sockets.get(ws.raw)?.upstream.close();
      forget(ws.raw);
    },
  });

  function forget(raw: object): void {
    const socket = sockets.get(raw);
    if (!socket) return;
    clearTimeout(socket.expiry);
    sockets.delete(raw);
  }
}
