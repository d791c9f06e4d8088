import type { Logger } from "@platform/logging";
import type { OutboxRelay } from "@platform/outbox";
import type { ReservationClient } from "../clients/reservation-client.js";
import type { UserClient } from "../clients/user-client.js";
import type { OrderDb } from "../store/order.store.js";
import type { ReservationTasks } from "../tasks/reservation-tasks.js";

/** What the order use cases work with. */
export interface OrderDeps {
  db: OrderDb;
  users: UserClient;
  inventory: ReservationClient;
  tasks: ReservationTasks;
  relay: OutboxRelay;
  eventsStream: string;
  reservationTtlSeconds: number;
  /**
   * With a payment provider (ARCHITECTURE §13) orders wait PENDING_PAYMENT for up to
   * `windowSeconds`; without one (`none`) they are CONFIRMED at once.
   */
  payments: { required: boolean; windowSeconds: number };
  logger: Logger;
}
