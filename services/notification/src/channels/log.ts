/** The log channel: always on, the notification as a log line. */
import type { Logger } from "@platform/logging";
import type { ChannelSender } from "./channel.js";

export const logChannel =
  (logger: Logger): ChannelSender =>
  async (notification) => {
    logger.info(
      {
        notificationId: notification.id,
        eventId: notification.eventId,
        recipient: notification.recipient,
        subject: notification.subject,
      },
      "notification",
    );
  };
