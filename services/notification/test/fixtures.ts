/** The owners the notification tests place orders for; their events come from @platform/testing. */
import type { OrderOwner } from "@platform/events";
import { orderCreatedEvent } from "@platform/testing";

export const ann = {
  id: "01900000-0000-7000-8000-0000000000a1",
  email: "ann@example.com",
  name: "Ann <Admin>",
};
export const bob = { id: "01900000-0000-7000-8000-0000000000b2", email: "bob@example.com", name: "Bob" };
/** A customer with a phone who wants text messages and no email. */
export const cy = {
  id: "01900000-0000-7000-8000-0000000000c3",
  email: "cy@example.com",
  name: "Cy",
  phone: "+4915112345678",
  notificationPreferences: { email: false, sms: true, webhook: true },
};

/** order.created of a two-line order (4,499 cents) for this owner. */
export const orderCreated = (user: OrderOwner = ann) =>
  orderCreatedEvent({
    user,
    order: {
      items: [
        { sku: "MUG-1", name: "Stoneware mug", quantity: 2, unitPriceCents: 1250, subtotalCents: 2500 },
        { sku: "TEE-2", name: "Cotton tee", quantity: 1, unitPriceCents: 1999, subtotalCents: 1999 },
      ],
      totalCents: 4499,
    },
  });
