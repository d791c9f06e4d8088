/** The WebSocket channel: `{type:"notification",notification}` to the owner's open sockets. */
import type { NotificationView } from "../routes/notification-view.js";
import { toNotificationView } from "../routes/notification-view.js";
import type { SocketHub } from "../ws/socket-hub.js";
import { type ChannelSender, ChannelUnavailableError } from "./channel.js";

export const websocketChannel =
  (hub: SocketHub): ChannelSender =>
  async (notification) => {
    if (!notification.userId) throw new Error("a WebSocket notification needs a user");
    const view: NotificationView = toNotificationView({ ...notification, status: "sent" }, { role: "user" });
    try {
      await hub.push(notification.userId, { type: "notification", notification: view });
    } catch (error) {
      // The push goes through Redis: Redis away is the channel away, not the message wrong, so the
      // lane holds it without spending its attempts (ARCHITECTURE §12).
      throw new ChannelUnavailableError(`Redis unavailable for the push: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
