/**
 * The business metrics of POST /orders on /metrics: `orders_placed_total`,
 * `orders_refused_total{reason}` (the problem's code) and `order_placement_duration_seconds{outcome}`
 * (placed | refused). A placement is one run of the handler, Idempotency-Key handling included: a
 * body the schema refuses never starts one (it shows in http_request_duration_seconds only), and a
 * replayed answer is not counted again.
 */
import { AppError, isDependencyFailure } from "@platform/errors";
import type { Problem } from "@platform/http";
import { Counter, Histogram, type Registry } from "prom-client";
import type { Answer } from "./idempotent-request.js";

export type PlacementOutcome = "placed" | "refused";

export class PlacementMetrics {
  private readonly placed: Counter;
  private readonly refused: Counter<"reason">;
  private readonly duration: Histogram<"outcome">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.placed = new Counter({
      name: "orders_placed_total",
      help: "Orders created (Idempotency-Key replays not counted)",
      registers,
    });
    this.refused = new Counter({
      name: "orders_refused_total",
      help: "Order placements that ended in a problem, by its code",
      labelNames: ["reason"] as const,
      registers,
    });
    this.duration = new Histogram({
      name: "order_placement_duration_seconds",
      help: "Order placement duration by outcome (placed | refused)",
      labelNames: ["outcome"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    // Both series from the start, so a rate over them is 0 rather than absent.
    for (const outcome of ["placed", "refused"] satisfies PlacementOutcome[]) this.duration.zero({ outcome });
  }

  /** Runs one placement (through its Idempotency-Key, if any) and records how it ended. */
  async measure<A extends Answer & { replayed: boolean }>(place: () => Promise<A>): Promise<A> {
    const done = this.duration.startTimer();
    let answer: A;
    try {
      answer = await place();
    } catch (error) {
      this.refused.inc({ reason: reasonOf(error) });
      done({ outcome: "refused" });
      throw error;
    }
    if (answer.replayed) return answer;
    if (answer.status < 400) {
      this.placed.inc();
      done({ outcome: "placed" });
    } else {
      // A final 4xx, stored with the Idempotency-Key as problem details.
      this.refused.inc({ reason: (answer.body as Partial<Problem>).code ?? "INTERNAL" });
      done({ outcome: "refused" });
    }
    return answer;
  }
}

/** The code the HTTP kernel answers an error with (see @platform/http's problem-errors). */
function reasonOf(error: unknown): string {
  if (error instanceof AppError) return error.code;
  return isDependencyFailure(error) ? "DEPENDENCY_UNAVAILABLE" : "INTERNAL";
}
