import type { Logger } from "@platform/logging";
import type { OutboxRelay } from "@platform/outbox";
import type { OrderClient } from "../clients/order-client.js";
import type { PaymentProvider } from "../providers/provider.js";
import type { PaymentDb } from "../store/payment.store.js";

/** What the payment use cases work with. */
export interface PaymentDeps {
  db: PaymentDb;
  /** Undefined with PAYMENT_PROVIDER=none: there is nothing to pay. */
  provider: PaymentProvider | undefined;
  orders: OrderClient;
  relay: Pick<OutboxRelay, "nudge">;
  /** The payments stream the outbox publishes to. */
  eventsStream: string;
  /** Declined attempts before a payment fails for good. */
  maxAttempts: number;
  logger: Logger;
}
