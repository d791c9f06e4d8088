/**
 * POST /payments/webhooks/{provider}: the provider's webhooks, reached without a token (through the
 * gateway at /api/payments/webhooks/{provider}). The signature over the body's exact bytes is the
 * credential: a bad one is 400 INVALID_SIGNATURE and changes nothing.
 */
import { notFound } from "@platform/errors";
import { problems, rawBodyOf, requestContext } from "@platform/http";
import { Elysia, t } from "elysia";
import { applyWebhook } from "../use-cases/apply-webhook.js";
import type { PaymentDeps } from "../use-cases/payment-deps.js";
import { ProviderParams } from "./schemas.js";

export function webhookRoutes(deps: PaymentDeps) {
  return new Elysia({ tags: ["payments"] }).use(requestContext(deps.logger)).post(
    "/payments/webhooks/:provider",
    async ({ params, headers, request, requestId }) => {
      if (!deps.provider || params.provider !== deps.provider.name) {
        throw notFound("No such payment provider here.");
      }
      const outcome = await applyWebhook(deps, {
        body: rawBodyOf(request) ?? "",
        signature: headers["stripe-signature"],
        requestId,
      });
      return { received: true, outcome };
    },
    {
      params: ProviderParams,
      headers: t.Object({ "stripe-signature": t.Optional(t.String({ maxLength: 1024 })) }),
      body: t.Object({}, { additionalProperties: true, description: "The provider's event, as it sent it" }),
      response: {
        200: t.Object({
          received: t.Literal(true),
          outcome: t.Union([t.Literal("applied"), t.Literal("duplicate"), t.Literal("ignored")]),
        }),
      },
      detail: {
        summary: "A payment provider's webhook (signature verified; each event applied once)",
        ...problems("INVALID_SIGNATURE"),
      },
    },
  );
}
