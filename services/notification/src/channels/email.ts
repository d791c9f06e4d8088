/**
 * Email over SMTP (nodemailer): the text and the HTML body of the notification, through a bounded
 * pool of connections that are reused from message to message (one TCP and SMTP handshake per
 * connection, not per email) and replaced by nodemailer when the server drops them.
 *
 * Every message carries a Message-ID made from the notification's id: should a crash make us send
 * it again, a receiver (or a mail store) sees the same message and can drop the copy.
 */
import nodemailer from "nodemailer";
import { type ChannelSender, ChannelUnavailableError } from "./channel.js";

export interface EmailChannelOptions {
  smtpUrl: string;
  from: string;
  timeoutMs: number;
  /** Connections kept open to the SMTP server (and so emails in flight at once). */
  poolSize: number;
}

/** nodemailer's codes for a server that could not be reached or talked to. */
const UNREACHABLE = new Set(["ECONNECTION", "ESOCKET", "ETIMEDOUT", "EDNS", "ECONNREFUSED", "ECONNRESET"]);

export function emailChannel({
  smtpUrl,
  from,
  timeoutMs,
  poolSize,
}: EmailChannelOptions): ChannelSender & { close(): void } {
  const url = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: poolSize,
    maxMessages: 1_000,
    host: url.hostname,
    port: Number(url.port) || (url.protocol === "smtps:" ? 465 : 587),
    secure: url.protocol === "smtps:",
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    // Longer than the greeting's, which then fires first: a server that never greets (nothing was
    // sent) is told apart from a socket gone quiet mid-exchange (the message may have been taken).
    socketTimeout: 2 * timeoutMs,
  });
  const domain = (from.match(/<([^>]+)>/)?.[1] ?? from).split("@")[1]?.trim() || "localhost";
  const send: ChannelSender = async (notification) => {
    try {
      await transport.sendMail({
        from,
        to: notification.recipient,
        subject: notification.subject,
        text: notification.bodyText,
        html: notification.bodyHtml,
        messageId: `<${notification.id}@${domain}>`,
        headers: { "X-Notification-Id": notification.id, "X-Event-Id": notification.eventId },
      });
    } catch (error) {
      const { code, responseCode, timeoutType } = error as {
        code?: string;
        responseCode?: number;
        timeoutType?: string;
      };
      // 421: the server is shutting down or overloaded, for every message alike.
      if ((code && UNREACHABLE.has(code)) || responseCode === 421) {
        throw new ChannelUnavailableError(`SMTP server unavailable: ${(error as Error).message}`, {
          cause: error,
          // A connection, greeting or TLS set-up that timed out sent nothing; a socket that went
          // quiet mid-exchange may have had the message taken.
          unanswered: code === "ETIMEDOUT" && timeoutType === "SOCKET_TIMEOUT",
        });
      }
      throw error;
    }
  };
  return Object.assign(send, { close: () => transport.close() });
}
