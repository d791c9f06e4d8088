/**
 * Refunds left PENDING (the provider was away when they were owed, or answered "pending") are
 * tried again every REFUND_RETRY_MS, oldest attempt first. Each is idempotent with the provider (the
 * refund id is its idempotency key), so a refund tried twice gives the money back once; one that
 * fails goes to the back of the queue, so it never holds up the others.
 */
import { PollingLoop } from "@platform/jobs";
import { paymentsOwingRefunds } from "../store/payment.store.js";
import type { PaymentDeps } from "./payment-deps.js";
import { carryOutRefund } from "./refunds.js";

export function refundJob(deps: PaymentDeps, { intervalMs }: { intervalMs: number }): PollingLoop {
  return new PollingLoop({
    name: "refunds",
    intervalMs,
    logger: deps.logger,
    run: async () => {
      // Left alone for a moment: the request or event that owed it is carrying it out now.
      const owing = await paymentsOwingRefunds(deps.db, new Date(Date.now() - intervalMs), 20);
      for (const paymentId of owing) {
        await carryOutRefund(deps, paymentId).catch((err) =>
          deps.logger.warn({ err, paymentId }, "a refund failed; it is tried again later"),
        );
      }
      return 0;
    },
  });
}
