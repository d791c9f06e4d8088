import { within } from "@platform/jobs";
import { tracedFetch } from "@platform/telemetry";
import type { NotificationRow } from "../store/notification.table.js";

/** A way to deliver a notification. Resolves when delivered; throws (with a reason) when not. */
export type ChannelSender = (notification: NotificationRow) => Promise<void>;

/**
 * The channel's server could not be reached or is refusing all work for now (SMTP down, a webhook
 * endpoint not answering): nothing is wrong with the message. The delivery lane pauses the channel
 * and keeps the message pending however long that lasts, instead of spending its attempts on it.
 */
export class ChannelUnavailableError extends Error {
  override readonly name = "ChannelUnavailableError";
  /**
   * The channel took the message and gave no answer in time (a timeout), as opposed to refusing or
   * dropping the connection: the one case that may be the message's own doing (a body too large to
   * answer in time), which the delivery lane then tells apart.
   */
  readonly unanswered: boolean;

  constructor(message: string, options: { cause?: unknown; unanswered?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.unanswered = options.unanswered ?? false;
  }
}

/**
 * Answers of an endpoint that cannot take work now, whatever the message: 429 (rate limited) and
 * 502, 503, 504 (a proxy with nothing behind it, a redeploy, an overload).
 */
const BUSY_OR_AWAY = new Set([429, 502, 503, 504]);
/** 504: the proxy passed the message on and its receiver did not answer in time: it may have it. */
const GATEWAY_TIMEOUT = 504;

/**
 * POSTs a body for an HTTP channel (webhook, SMS provider). No answer at all (refused, reset, timed
 * out), or an answer that it is busy or away (BUSY_OR_AWAY), means the endpoint cannot take work
 * now, not that the message is wrong: a ChannelUnavailableError, which pauses the channel instead of
 * spending the message's attempts. Any other answer is returned, for the channel to judge.
 */
export async function postToChannel(
  what: string,
  url: string,
  { headers, body, timeoutMs }: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<Response> {
  let response: Response;
  try {
    response = await tracedFetch(`POST to ${what}`, url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    // A timeout covers the connection too: only a host that takes a connection may have the message
    // (a host that is down or dropping packets does not).
    const timedOut = (error as Error).name === "TimeoutError";
    throw new ChannelUnavailableError(`${what} unavailable: ${(error as Error).message}`, {
      cause: error,
      unanswered: timedOut && (await acceptsConnections(url, timeoutMs)),
    });
  }
  if (BUSY_OR_AWAY.has(response.status)) {
    throw new ChannelUnavailableError(`${what} unavailable: it answered ${response.status}`, {
      unanswered: response.status === GATEWAY_TIMEOUT,
    });
  }
  return response;
}

/** Whether the URL's host takes a TCP connection within the time given. */
async function acceptsConnections(url: string, timeoutMs: number): Promise<boolean> {
  const { hostname, port, protocol } = new URL(url);
  const connecting = Bun.connect({
    hostname: hostname.replace(/^\[|\]$/g, ""), // an IPv6 literal without its brackets
    port: Number(port) || (protocol === "https:" ? 443 : 80),
    socket: { data() {}, error() {} },
  });
  try {
    (await within(connecting, timeoutMs, () => new Error("no connection in time"))).end();
    return true;
  } catch {
    connecting.then(
      (late) => late.end(),
      () => {},
    );
    return false;
  }
}
