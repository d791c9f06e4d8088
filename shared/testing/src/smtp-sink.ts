/**
 * A real SMTP server for the tests (the smtp-server package), keeping what it receives parsed by
 * mailparser. It can be stopped and started again on the same port, as an outage would.
 */
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export class SmtpSink {
  readonly messages: ParsedMail[] = [];
  /** While true, every recipient is refused (550): a message the server will not take, not an outage. */
  refuseRecipients = false;
  private server: SMTPServer | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onRcptTo: (_address, _session, callback) => {
        if (!this.refuseRecipients) return callback();
        callback(Object.assign(new Error("mailbox unavailable"), { responseCode: 550 }));
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.messages.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    const server = this.server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  /** Messages whose headers name this event. */
  forEvent(eventId: string): ParsedMail[] {
    return this.messages.filter((m) => m.headers.get("x-event-id") === eventId);
  }
}
