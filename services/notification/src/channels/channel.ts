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
}

/**
 * POSTs a body for an HTTP channel (webhook, SMS provider). No answer at all (refused, reset, timed
 * out) means the endpoint is away, not the message wrong: a ChannelUnavailableError. Any answer is
 * returned, for the channel to judge.
 */
export async function postToChannel(
  what: string,
  url: string,
  { headers, body, timeoutMs }: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<Response> {
  try {
    return await tracedFetch(`POST to ${what}`, url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new ChannelUnavailableError(`${what} unavailable: ${(error as Error).message}`, { cause: error });
  }
}
