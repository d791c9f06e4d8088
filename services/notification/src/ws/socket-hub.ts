/**
 * WebSocket push across replicas: a delivery is published on a Redis channel, and every replica
 * forwards it to the sockets its users have open there. A user may have several sockets; a socket
 * that closed, or fails a send, is dropped. The pushes of one turn of the event loop (a delivery
 * lane starts its batch's sends together) go out as one message: one PUBLISH, not one per push.
 */
import type { Logger } from "@platform/logging";
import { pingWhileSubscribed } from "@platform/redis";
import type { Redis } from "ioredis";

export interface PushSocket {
  send(message: string): unknown;
}

export const PUSH_CHANNEL = "notifications:push";

/** One push: a message (a list of them, or one alone as older replicas send it) on the channel. */
interface Push {
  userId: string;
  payload: unknown;
}

export class SocketHub {
  private readonly sockets = new Map<string, Set<PushSocket>>();
  private subscriber: Redis | undefined;
  private stopPinging: (() => void) | undefined;
  /** The pushes of this turn, and the one PUBLISH they will share. */
  private gathering: { pushes: Push[]; published: Promise<unknown> } | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly channel = PUSH_CHANNEL,
    /** How often the subscribed connection is checked (pingWhileSubscribed). */
    private readonly pingEveryMs = 10_000,
  ) {}

  /** Listens for pushes from every replica (a connection of its own: subscribing holds it). */
  async start(): Promise<void> {
    this.subscriber = this.redis.duplicate({ enableOfflineQueue: true });
    this.subscriber.on("error", () => {}); // the shared connection reports outages already
    this.subscriber.on("message", (_channel: string, message: string) => this.deliverLocally(message));
    await this.subscriber.subscribe(this.channel);
    this.stopPinging = pingWhileSubscribed(this.subscriber, this.pingEveryMs);
  }

  async stop(): Promise<void> {
    this.stopPinging?.();
    this.subscriber?.disconnect();
  }

  add(userId: string, socket: PushSocket): void {
    const open = this.sockets.get(userId) ?? new Set();
    open.add(socket);
    this.sockets.set(userId, open);
  }

  remove(userId: string, socket: PushSocket): void {
    const open = this.sockets.get(userId);
    open?.delete(socket);
    if (open?.size === 0) this.sockets.delete(userId);
  }

  /** How many sockets of this user are open on this replica. */
  openSockets(userId: string): number {
    return this.sockets.get(userId)?.size ?? 0;
  }

  /** Sends to the user's sockets on every replica; resolves once Redis has the message. */
  async push(userId: string, payload: unknown): Promise<void> {
    if (!this.gathering) {
      const pushes: Push[] = [];
      const published = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.gathering = undefined;
        return this.redis.publish(this.channel, JSON.stringify(pushes.length === 1 ? pushes[0] : pushes));
      });
      this.gathering = { pushes, published };
    }
    this.gathering.pushes.push({ userId, payload });
    await this.gathering.published;
  }

  private deliverLocally(message: string): void {
    const received = JSON.parse(message) as Push | Push[];
    for (const { userId, payload } of Array.isArray(received) ? received : [received]) {
      const sockets = this.sockets.get(userId);
      if (!sockets) continue;
      const text = JSON.stringify(payload);
      for (const socket of sockets) {
        try {
          socket.send(text);
        } catch (err) {
          this.logger.info({ err, userId }, "dropping a dead socket");
          this.remove(userId, socket);
        }
      }
    }
  }
}
