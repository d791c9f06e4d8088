import type { NotificationRow } from "../store/notification.table.js";

/** A way to deliver a notification. Resolves when delivered; throws (with a reason) when not. */
export type ChannelSender = (notification: NotificationRow) => Promise<void>;
