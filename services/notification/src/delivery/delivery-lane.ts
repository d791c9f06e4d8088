/**
 * One channel's delivery: claims its own due notifications in batches (a lease keeps other replicas
 * off them), keeps up to `concurrency` sends in flight — a new one starts as soon as one ends, so
 * no message waits for the slowest of a batch — and hands each outcome to the batched writer.
 * Lanes share nothing but the database: a slow or failing channel (SMTP down, a webhook timing out)
 * never holds back another.
 *
 * A message the channel refused or failed is retried with exponential backoff and jitter until
 * maxAttempts, then it is failed until an admin retries it. A channel that cannot be reached at all
 * (ChannelUnavailableError) pauses the lane with backoff instead: what it holds goes back to the
 * queue without spending attempts, and when the pause ends one message probes the channel before
 * the lane opens up again. So an outage of any length delays messages; it never fails them. A
 * message sent and not answered in time (it may have been taken) spends its attempts, so a
 * receiver slower than the timeout gets it at most maxAttempts times; the lane pauses too. A
 * message the channel fails while a send begun after it went through is the message's own trouble
 * (the channel answers): it spends its attempts and the lane goes on.
 */
import { isDependencyFailure } from "@platform/errors";
import { backoffDelay } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import { handoffSpan, runInContext, SpanKind } from "@platform/telemetry";
import { type ChannelSender, ChannelUnavailableError } from "../channels/channel.js";
import type { Channel } from "../domain/notification.js";
import { claimDue, type NotificationDb } from "../store/notification.store.js";
import type { NotificationRow } from "../store/notification.table.js";
import type { DeliveryMetrics } from "./delivery-metrics.js";
import type { OutcomeWriter } from "./outcome-writer.js";

export interface DeliveryLaneOptions {
  channel: Channel;
  sender: ChannelSender;
  db: NotificationDb;
  writer: OutcomeWriter;
  metrics: DeliveryMetrics;
  logger: Logger;
  /** Sends in flight at once. */
  concurrency: number;
  /** Notifications claimed per query (kept in hand until a send slot is free). */
  batchSize: number;
  /** How long a claim holds; a message still in hand near its end is left for the next claim. */
  leaseMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Polling interval when idle; a nudge after new notifications were stored starts work at once. */
  intervalMs: number;
  /** Longest pause of an unreachable channel. */
  maxPauseMs?: number;
}

const NUDGE_DELAY_MS = 5;

interface Claimed {
  row: NotificationRow;
  /** After this a send is not started: the lease may run out before it ends. */
  sendBy: number;
}

export class DeliveryLane {
  private readonly queue: Claimed[] = [];
  private inFlight = 0;
  private readonly sends = new Set<Promise<void>>();
  private stopped = true;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** While paused, nothing is claimed or sent; afterwards one probe goes first. */
  private pausedUntil = 0;
  /** When a send last found the channel unreachable. */
  private foundUnreachableAt = 0;
  private pauses = 0;
  private probing = false;
  /** The notifications whose send is under way. */
  private readonly sending = new Set<string>();
  /** When a send last went through. */
  private lastSuccessAt = 0;
  /** Messages whose last send failed as if the channel were away, and when (most recent last). */
  private readonly suspects = new Map<string, number>();

  private suspect(id: string): void {
    this.suspects.delete(id);
    this.suspects.set(id, Date.now());
    // Bounded: a channel away for long holds many; the oldest are forgotten (they wait like the rest).
    if (this.suspects.size > MAX_SUSPECTS) this.suspects.delete(this.suspects.keys().next().value as string);
  }
  /** When the latest-started send of this lane that went through began. */
  private latestSuccessStartedAt = 0;
  /** Whether the next turn of the loop looks for due notifications in the database. */
  private claimWanted = true;
  private nudges = 0;
  private nudged: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: DeliveryLaneOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /**
   * Whether the channel is unreachable as far as this lane knows: since a send found it so, until
   * one goes through again (the probe after the pause) — or until nothing has said so for two of
   * the longest pauses (no message came due to probe it: another replica may have sent them).
   */
  get unreachable(): boolean {
    const { maxPauseMs = DEFAULT_MAX_PAUSE_MS } = this.options;
    return this.probing && Date.now() - this.foundUnreachableAt < 2 * maxPauseMs;
  }

  /** How many more notifications the lane can hold in hand now (none while paused or stopped). */
  room(): number {
    if (this.stopped || Date.now() < this.pausedUntil) return 0;
    return Math.max(0, this.options.batchSize - this.queue.length - this.inFlight);
  }

  /** A notification stored and claimed by this process just now: sent as soon as a slot is free. */
  offer(row: NotificationRow): void {
    this.queue.push({ row, sendBy: Date.now() + this.options.leaseMs / 2 });
    this.startSends();
  }

  /**
   * New notifications of this channel were stored: look for them in a moment. The moment (a few
   * milliseconds) lets the notifications of several events be claimed by one query.
   */
  nudge(): void {
    this.claimWanted = true;
    this.nudges++;
    this.nudged ??= setTimeout(() => {
      this.nudged = undefined;
      this.wake?.();
    }, NUDGE_DELAY_MS);
  }

  /** Stops claiming, lets the sends in flight end, and hands back what it holds unsent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await Promise.all(this.sends);
    this.release(this.queue.splice(0), new Date(), "returned by a stopping replica");
  }

  private async run(): Promise<void> {
    const { db, channel, batchSize, leaseMs, intervalMs, logger } = this.options;
    let claimFailures = 0;
    while (!this.stopped) {
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) {
        await this.sleep(pause);
        this.claimWanted = true; // the probe
        continue;
      }
      this.startSends();
      const held = this.queue.length + this.inFlight;
      // While probing an unreachable channel, one message at a time.
      const room = this.probing ? (held === 0 ? 1 : 0) : batchSize - held;
      // While outcomes wait for a write that failed, a claim could hand out a message that was sent
      // but is not recorded yet (its lease ran out meanwhile): claim only once they are written.
      if (this.claimWanted && room > 0 && !this.options.writer.backlogged) {
        try {
          const claimedAt = Date.now();
          const nudges = this.nudges;
          const rows = await claimDue(db, channel, room, leaseMs);
          claimFailures = 0;
          const sendBy = claimedAt + leaseMs / 2;
          for (const row of rows) {
            // Sent already (its outcome on its way), or being sent now (a send slower than the lease):
            // the claim took it again, but this lane has it.
            if (this.options.writer.isUnwritten(row.id) || this.sending.has(row.id)) continue;
            this.queue.push({ row, sendBy });
          }
          this.startSends();
          // A full claim means more may be due, and a nudge meanwhile may have made more due: claim
          // again. Otherwise wait for a nudge or the interval.
          this.claimWanted = rows.length === room || nudges !== this.nudges;
          if (this.claimWanted) continue;
        } catch (err) {
          if (!isDependencyFailure(err)) logger.error({ err, channel }, "claiming notifications failed");
          const delayMs = backoffDelay(intervalMs, ++claimFailures, 5_000);
          logger.warn(
            { err: (err as Error).message, channel, delayMs },
            "cannot claim notifications; backing off",
          );
          await this.sleep(delayMs);
          continue;
        }
      }
      // New notifications reach the lane through offer(); a claim is for the rest (retries, a
      // crashed replica's leases, an admin's retry): once an interval, or when nudged.
      if (await this.sleep(intervalMs)) this.claimWanted = true;
    }
  }

  private startSends(): void {
    if (this.stopped) return;
    const limit = this.probing ? 1 : this.options.concurrency;
    while (this.inFlight < limit && this.queue.length > 0 && Date.now() >= this.pausedUntil) {
      const claimed = this.queue.shift() as Claimed;
      if (Date.now() > claimed.sendBy) continue; // its lease is nearly over: the next claim takes it
      if (this.options.writer.isUnwritten(claimed.row.id)) continue; // sent already; its outcome is on its way
      if (this.sending.has(claimed.row.id)) continue; // claimed again while its send is under way
      this.inFlight++;
      this.sending.add(claimed.row.id);
      const send: Promise<void> = this.deliver(claimed.row).finally(() => {
        this.inFlight--;
        this.sending.delete(claimed.row.id);
        this.sends.delete(send);
        this.startSends(); // the next one in hand takes the free slot
      });
      this.sends.add(send);
    }
  }

  private async deliver(row: NotificationRow): Promise<void> {
    const { sender, writer, metrics, channel, maxAttempts, retryBaseMs, logger } = this.options;
    // With tracing on, the delivery is a span of the order's trace (the row keeps its context).
    const span = handoffSpan(`deliver ${channel}`, row.traceparent, {
      kind: SpanKind.CLIENT,
      attributes: {
        "notification.id": row.id,
        "notification.channel": channel,
        "notification.attempt": row.attempts + 1,
      },
    });
    const startedAt = Date.now();
    try {
      await runInContext(span?.context, () => sender(row));
      this.latestSuccessStartedAt = Math.max(this.latestSuccessStartedAt, startedAt);
      this.lastSuccessAt = Date.now();
      this.suspects.delete(row.id);
      span?.end();
      writer.record({ id: row.id, sentAt: new Date() });
      metrics.sent(channel, row.data.occurredAt);
      if (this.probing || this.pauses > 0) {
        logger.info({ channel }, "channel is back; delivering again");
        this.claimWanted = true; // what waited meanwhile
        this.wake?.();
      }
      this.probing = false;
      this.pauses = 0;
    } catch (error) {
      span?.end(error);
      const reason = error instanceof Error ? error.message : String(error);
      // A refusal, a dropped connection or a "busy" answer (an outage, a 421, a 503) sent nothing:
      // the lane pauses and the message waits without spending an attempt, however long that lasts.
      // A message sent and not answered in time may have been taken (a receiver slower than the
      // timeout, a proxy's 504), so it spends an attempt like any failure — sent again and again for
      // free, it would reach the receiver every pause for ever — and the lane pauses too. Either
      // way, when the channel answers other messages — one begun after this one went through, or
      // one went through since this one last failed so — it is this message it cannot take (a body
      // too large, one that crashes the receiver behind its proxy): it spends an attempt and the
      // lane goes on.
      if (error instanceof ChannelUnavailableError) {
        const failedBefore = this.suspects.get(row.id);
        const channelAnswers =
          this.latestSuccessStartedAt > startedAt ||
          (failedBefore !== undefined && this.lastSuccessAt > failedBefore);
        if (!channelAnswers) this.pauseChannel(reason);
        if (!channelAnswers && !error.unanswered) {
          metrics.deliveries.inc({ channel, outcome: "channel_unavailable" });
          this.suspect(row.id);
          // Behind the others released by the pause: the next probe is another message, if one waits.
          this.release([{ row, sendBy: 0 }], new Date(this.pausedUntil + 1), reason);
          return;
        }
      }
      this.suspects.delete(row.id);
      const attempts = row.attempts + 1;
      const retryAt =
        attempts < maxAttempts ? new Date(Date.now() + retryDelay(retryBaseMs, attempts)) : null;
      writer.record({ id: row.id, error: reason, retryAt, charged: true });
      metrics.deliveries.inc({ channel, outcome: retryAt ? "retry" : "failed" });
      const log = logger.child({
        notificationId: row.id,
        channel,
        eventId: row.eventId,
        requestId: row.data.requestId, // absent from rows written before it was kept
      });
      if (retryAt) log.warn({ attempts, retryAt, reason }, "notification delivery failed; will retry");
      else log.error({ attempts, reason }, "notification delivery failed for good; an admin can retry it");
      // The channel answered (a refusal): it is up. One that did not answer is not known to be.
      if (this.probing && !(error instanceof ChannelUnavailableError)) this.probing = false;
    }
  }

  /** The channel is unreachable: hold everything back for a while, longer each time in a row. */
  private pauseChannel(reason: string): void {
    const { channel, logger, maxPauseMs = DEFAULT_MAX_PAUSE_MS } = this.options;
    this.foundUnreachableAt = Date.now();
    if (Date.now() < this.pausedUntil) return; // paused already by another send of this batch
    const pauseMs = backoffDelay(500, this.pauses++, maxPauseMs);
    this.pausedUntil = Date.now() + pauseMs;
    this.probing = true;
    this.release(this.queue.splice(0), new Date(this.pausedUntil), reason);
    logger.warn({ channel, pauseMs, reason }, "channel unavailable; pausing its deliveries");
  }

  /** Back to pending at `retryAt`, without spending an attempt. */
  private release(claimed: Claimed[], retryAt: Date, reason: string): void {
    for (const { row } of claimed)
      this.options.writer.record({ id: row.id, error: reason, retryAt, charged: false });
  }

  /** Waits; resolves true when the time ran out, false when woken (a nudge, stop()). */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(true), ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
  }
}

/** Exponential backoff with jitter (±25 %), so retries of many messages do not come in waves. */
export function retryDelay(baseMs: number, attempts: number): number {
  const doubled = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** (attempts - 1));
  return Math.round(doubled * (0.75 + Math.random() * 0.5));
}

/** Messages remembered as failed while the channel seemed away (suspects). */
const MAX_SUSPECTS = 10_000;

/** The longest pause of a channel found unreachable, unless the lane's options say otherwise. */
const DEFAULT_MAX_PAUSE_MS = 10_000;

/** The longest wait between two attempts of one message, however many it has had. */
const MAX_RETRY_DELAY_MS = 3_600_000;
