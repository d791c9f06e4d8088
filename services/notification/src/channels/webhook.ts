/**
 * Webhooks: a JSON POST to the configured URL, signed so a receiver can check where it came from
 * and reject replays. `X-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
 * with the shared secret; a receiver recomputes it and refuses a timestamp older than a few minutes.
 */
import { createHmac } from "node:crypto";
import { type ChannelSender, postToChannel } from "./channel.js";

export const WEBHOOK_SIGNATURE_HEADER = "x-webhook-signature";

export function signWebhook(secret: string, body: string, timestamp: number): string {
  const digest = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `t=${timestamp},v1=${digest}`;
}

export function webhookChannel({
  url,
  secret,
  timeoutMs,
}: {
  url: string;
  secret: string;
  timeoutMs: number;
}): ChannelSender {
  return async (notification) => {
    const body = JSON.stringify({
      id: notification.id,
      eventId: notification.eventId,
      type: notification.eventType,
      userId: notification.userId,
      orderId: notification.orderId,
      subject: notification.subject,
      data: notification.data,
    });
    const response = await postToChannel("webhook endpoint", url, {
      headers: {
        "content-type": "application/json",
        "x-webhook-id": notification.id,
        [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(Date.now() / 1000)),
      },
      body,
      timeoutMs,
    });
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  };
}
