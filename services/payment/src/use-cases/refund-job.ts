/**
 * What the provider is owed and has not heard: refunds left PENDING (the provider was away when
 * they were owed, or answered "pending") and call-offs of payments whose order is gone (call-off.ts)
 * are tried again every REFUND_RETRY_MS, oldest attempt first. Each is idempotent with the provider
 * (the refund id is its idempotency key; cancelling a cancelled payment intent changes nothing), so
 * one tried twice happens once; one that fails goes to the back of the queue, so it never holds up
 * the others.
 */
import { PollingLoop } from "@platform/jobs";
import { paymentsOwingCallOffs, paymentsOwingRefunds } from "../store/payment.store.js";
import { carryOutCallOff } from "./call-off.js";
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
      const callOffs = await paymentsOwingCallOffs(deps.db, new Date(Date.now() - intervalMs), 20);
      for (const paymentId of callOffs) {
        await carryOutCallOff(deps, paymentId).catch((err) =>
          deps.logger.warn({ err, paymentId }, "a call-off failed; it is tried again later"),
        );
      }
      return 0;
    },
  });
}
