/**
 * The user's live notifications: one WebSocket to `/api/ws?token=…` while logged in, opened again
 * (with backoff) when it drops and with the new token when the session is renewed. The gateway
 * closes it with 4401 when its token expires or is revoked: then the session is renewed first.
 * Each `{type:"notification"}` message becomes a toast and is passed to the screens listening.
 */
import { watch } from "vue";
import { loadUser } from "../api/auth";
import { endSession, renewTokens } from "../api/call";
import { session, tokenExpired } from "../api/session";
import type { Notification } from "../api/types";
import { toast } from "./toasts";

/** The gateway's close code for a socket whose token ended. */
const TOKEN_ENDED = 4401;
const PING_EVERY_MS = 25_000;
const MAX_BACKOFF_MS = 30_000;

type Listener = (notification: Notification) => void;
const listeners = new Set<Listener>();

/** Calls `listener` for every notification pushed; returns the function that stops it. */
export function onNotification(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let socket: WebSocket | undefined;
let retry: ReturnType<typeof setTimeout> | undefined;
let failures = 0;

function receive(event: MessageEvent): void {
  let message: { type?: string; notification?: Notification };
  try {
    message = JSON.parse(String(event.data));
  } catch {
    return; // "pong" and anything else that is not ours
  }
  if (message.type !== "notification" || !message.notification) return;
  const notification = message.notification;
  toast(notification.subject, notification.orderId);
  for (const listener of listeners) listener(notification);
}

function open(token: string): void {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const opened = new WebSocket(
    `${scheme}://${window.location.host}/api/ws?token=${encodeURIComponent(token)}`,
  );
  socket = opened;
  // This socket's own: a socket replaced by a newer one may close after the newer one opened.
  let ping: ReturnType<typeof setInterval> | undefined;
  let wasOpen = false;
  opened.onopen = () => {
    wasOpen = true;
    ping = setInterval(() => opened.send("ping"), PING_EVERY_MS);
  };
  opened.onmessage = (event) => {
    // Connected through to the notification service (its welcome): the backoff starts over. Not on
    // open: the edge opens the socket before it reaches the service, and closes it (1013) when the
    // service is away — every tab would then come back each second for the whole outage.
    failures = 0;
    receive(event);
  };
  opened.onclose = async (event) => {
    clearInterval(ping);
    if (socket !== opened) return; // closed on purpose (logged out, or replaced)
    socket = undefined;
    if ((event.code === TOKEN_ENDED || tokenExpired(token)) && session.accessToken === token) {
      // Renewed: the token changed, and the watch below opens a new socket with it. Refused: the
      // session was revoked (logged out elsewhere, deactivated): it ends here now, as an API call
      // would end it. Not now: try again later.
      const renewal = await renewTokens();
      if (renewal === "renewed") return;
      if (renewal === "refused") {
        if (session.accessToken === token) endSession();
        return;
      }
    }
    // Refused before it opened (the edge checks the token first: a revoked one gets no socket, and
    // the browser sees no 4401): one call finds out whether the session is over, and ends it if so.
    if (!wasOpen && session.accessToken === token) await loadUser();
    if (session.accessToken !== token) return; // ended, or renewed: the watch below takes over
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures++);
    retry = setTimeout(() => {
      if (session.accessToken && !socket) open(session.accessToken);
    }, delay);
  };
}

function close(): void {
  clearTimeout(retry);
  const closing = socket;
  socket = undefined;
  closing?.close();
}

/** Keeps one socket open for whoever is logged in. */
export function startNotificationSocket(): void {
  watch(
    () => session.accessToken,
    (token) => {
      close();
      failures = 0;
      if (token) open(token);
    },
    { immediate: true },
  );
}
