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
