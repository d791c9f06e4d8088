/** Events as the order service publishes them, for the notification tests. */
import { type DomainEvent, newEvent } from "@platform/events";

export const ann = {
  id: "01900000-0000-7000-8000-0000000000a1",
  email: "ann@example.com",
  name: "Ann <Admin>",
};
export const bob = { id: "01900000-0000-7000-8000-0000000000b2", email: "bob@example.com", name: "Bob" };

export function orderCreated(user = ann): DomainEvent {
  const orderId = Bun.randomUUIDv7();
  return newEvent(
    "order.created",
    {
      order: {
        id: orderId,
        userId: user.id,
        status: "CONFIRMED",
        items: [
          { sku: "MUG-1", name: "Stoneware mug", quantity: 2, unitPriceCents: 1250, subtotalCents: 2500 },
          { sku: "TEE-2", name: "Cotton tee", quantity: 1, unitPriceCents: 1999, subtotalCents: 1999 },
        ],
        totalCents: 4499,
        currency: "EUR",
      },
      user,
    },
    { requestId: `req-${orderId}` },
  );
}
