/**
 * Text messages to the order owner's phone, through a provider. A provider is one function; the one
 * here speaks the development SMS sink's HTTP API (scripts/sms-sink.ts), and any gateway with a
 * JSON endpoint of the same shape: `POST <SMS_URL>` with `{to, body, reference}`, bearer token
 * optional. `reference` is the notification's id, so a provider that deduplicates on it (the sink
 * does) sends one message even when a delivery is retried after an answer was lost; with one that
 * does not, such a retry is a second text (the same window as email's). Another provider (Twilio,
 * MessageBird) is another SmsProvider, chosen in runtime.ts.
 */
import { type ChannelSender, postToChannel } from "./channel.js";

export interface TextMessage {
  /** E.164. */
  to: string;
  body: string;
  /** Idempotency reference: one message per reference. */
  reference: string;
}

/** Sends one message; throws ChannelUnavailableError (channel.ts) when the provider cannot be reached. */
export type SmsProvider = (message: TextMessage) => Promise<void>;

export function httpSmsProvider({
  url,
  token,
  timeoutMs,
}: {
  url: string;
  token?: string;
  timeoutMs: number;
}): SmsProvider {
  return async (message) => {
    const response = await postToChannel("SMS provider", url, {
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(message),
      timeoutMs,
    });
    // Any other failure spends an attempt, as a webhook's does: retried with backoff, then failed.
    // The provider's words are not kept: they often repeat the number, which has no place in logs.
    if (!response.ok) throw new Error(`SMS provider answered ${response.status}`);
  };
}

export const smsChannel =
  (provider: SmsProvider): ChannelSender =>
  (notification) =>
    provider({ to: notification.recipient, body: notification.bodyText, reference: notification.id });
