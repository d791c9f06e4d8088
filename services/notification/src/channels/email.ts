/** Email over SMTP (nodemailer): the text and the HTML body of the notification. */
import nodemailer from "nodemailer";
import type { ChannelSender } from "./channel.js";

export interface EmailChannelOptions {
  smtpUrl: string;
  from: string;
  timeoutMs: number;
}

export function emailChannel({
  smtpUrl,
  from,
  timeoutMs,
}: EmailChannelOptions): ChannelSender & { close(): void } {
  const url = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port) || (url.protocol === "smtps:" ? 465 : 587),
    secure: url.protocol === "smtps:",
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const send: ChannelSender = async (notification) => {
    await transport.sendMail({
      from,
      to: notification.recipient,
      subject: notification.subject,
      text: notification.bodyText,
      html: notification.bodyHtml,
      headers: { "X-Notification-Id": notification.id, "X-Event-Id": notification.eventId },
    });
  };
  return Object.assign(send, { close: () => transport.close() });
}
