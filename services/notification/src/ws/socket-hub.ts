/**
 * WebSocket push across replicas: a delivery is published on a Redis channel, and every replica
 * forwards it to the sockets its users have open there. A user may have several sockets; a socket
 * that closed, or fails a send, is dropped.
 */
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";

export interface PushSocket {
  send(message: string): unknown;
}

export const PUSH_CHANNEL = "notifications:push";

export class SocketHub {
  private readonly sockets = new Map<string, Set<PushSocket>>();
  private subscriber: Redis | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly channel = PUSH_CHANNEL,
  ) {}

  /** Listens for pushes from every replica (a connection of its own: subscribing holds it). */
  async start(): Promise<void> {
    this.subscriber = this.redis.duplicate({ enableOfflineQueue: true });
    this.subscriber.on("error", () => {}); // the shared connection reports outages already
    this.subscriber.on("message", (_channel: string, message: string) => this.deliverLocally(message));
    await this.subscriber.subscribe(this.channel);
  }

  async stop(): Promise<void> {
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

  /** Sends to the user's sockets on every replica. */
  async push(userId: string, payload: unknown): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify({ userId, payload }));
  }

  private deliverLocally(message: string): void {
    const { userId, payload } = JSON.parse(message) as { userId: string; payload: unknown };
    const text = JSON.stringify(payload);
    for (const socket of this.sockets.get(userId) ?? []) {
      try {
        socket.send(text);
      } catch (err) {
        this.logger.info({ err, userId }, "dropping a dead socket");
        this.remove(userId, socket);
      }
    }
  }
}
