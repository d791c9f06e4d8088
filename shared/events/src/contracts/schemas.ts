/**
 * The wire shapes events share with the APIs that show the same things: an order as the order
 * service answers it and as order events carry it, a product snapshot, an order's owner. TypeBox
 * schemas (Elysia's `t` is TypeBox too), so one definition serves validation, types and OpenAPI.
 */
import { FormatRegistry, type Static, Type } from "@sinclair/typebox";

// TypeBox checks a format only when one is registered. Elysia registers these when it loads; a
// consumer that reads events without Elysia (a script, a unit test) must check them all the same.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
if (!FormatRegistry.Has("uuid")) FormatRegistry.Set("uuid", (value) => UUID.test(value));
if (!FormatRegistry.Has("date-time")) {
  FormatRegistry.Set(
    "date-time",
    (value) => !Number.isNaN(Date.parse(value)) && /^\d{4}-\d\d-\d\dT/.test(value),
  );
}

/**
 * PENDING_PAYMENT only with a payment provider (ARCHITECTURE §13): stock reserved, waiting for the
 * payment; it becomes CONFIRMED when paid, CANCELLED when the payment fails or its window ends.
 */
export const OrderStatusSchema = Type.Union([
  Type.Literal("PENDING_PAYMENT"),
  Type.Literal("CONFIRMED"),
  Type.Literal("SHIPPED"),
  Type.Literal("DELIVERED"),
  Type.Literal("CANCELLED"),
]);
export type OrderStatus = Static<typeof OrderStatusSchema>;

export const OrderLineSchema = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  unitPriceCents: Type.Integer(),
  quantity: Type.Integer(),
  subtotalCents: Type.Integer(),
});
export type OrderLine = Static<typeof OrderLineSchema>;

/** An order as the order API answers it and order events carry it. */
export const OrderSchema = Type.Object({
  id: Type.String({ format: "uuid" }),
  userId: Type.String({ format: "uuid" }),
  status: OrderStatusSchema,
  items: Type.Array(OrderLineSchema),
  totalCents: Type.Integer(),
  currency: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  statusHistory: Type.Array(
    Type.Object({ status: OrderStatusSchema, at: Type.String({ format: "date-time" }) }),
  ),
});
export type OrderView = Static<typeof OrderSchema>;

/**
 * Which of the optional channels a user wants (GET/PUT /users/me/notification-preferences); the log
 * and the WebSocket push are always on.
 */
export const NotificationPreferencesSchema = Type.Object({
  email: Type.Boolean(),
  sms: Type.Boolean(),
  webhook: Type.Boolean(),
});
export type NotificationPreferences = Static<typeof NotificationPreferencesSchema>;

/**
 * Who placed an order, as its events carry it (so consumers need no call back): contact details and
 * channel preferences as they were when the order was placed. `phone` and `notificationPreferences`
 * were added later and are optional, so events written before them still read (every channel on).
 */
export const OrderOwnerSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  phone: Type.Optional(Type.String()),
  notificationPreferences: Type.Optional(NotificationPreferencesSchema),
});
export type OrderOwner = Static<typeof OrderOwnerSchema>;

/** A product's catalog fields as product events carry them (no live stock). */
export const ProductSnapshotSchema = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  priceCents: Type.Integer(),
  currency: Type.String(),
  lowStockThreshold: Type.Integer(),
  updatedAt: Type.String({ format: "date-time" }),
});
export type ProductSnapshot = Static<typeof ProductSnapshotSchema>;

/**
 * A payment's state (the payment service): PENDING until paid, REQUIRES_ACTION while the customer
 * has a step to take (3-D Secure), then SUCCEEDED, FAILED (declined past its attempts), CANCELLED
 * (the order went before it was paid) or REFUNDED (all of it given back).
 */
export const PaymentStatusSchema = Type.Union([
  Type.Literal("PENDING"),
  Type.Literal("REQUIRES_ACTION"),
  Type.Literal("SUCCEEDED"),
  Type.Literal("FAILED"),
  Type.Literal("CANCELLED"),
  Type.Literal("REFUNDED"),
]);
export type PaymentStatus = Static<typeof PaymentStatusSchema>;

/** A payment as payment events carry it. Money in minor units of `currency`. */
export const PaymentSnapshotSchema = Type.Object({
  id: Type.String({ format: "uuid" }),
  orderId: Type.String({ format: "uuid" }),
  userId: Type.String({ format: "uuid" }),
  provider: Type.String(),
  status: PaymentStatusSchema,
  amountCents: Type.Integer(),
  refundedCents: Type.Integer(),
  currency: Type.String(),
});
export type PaymentSnapshot = Static<typeof PaymentSnapshotSchema>;
