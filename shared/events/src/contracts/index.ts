/**
 * The platform's event contracts: one schema per event type and version, so a producer and every
 * consumer share one definition. Changing a payload here breaks the typecheck of whoever builds or
 * reads it; an event whose type or version is unknown, or whose payload does not fit, is rejected in
 * one place (readEvent) and ends in the dead-letter stream.
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import { type DomainEvent, MalformedEventError, newEvent } from "../envelope.js";
import {
  OrderOwnerSchema,
  OrderSchema,
  OrderStatusSchema,
  PaymentSnapshotSchema,
  ProductSnapshotSchema,
} from "./schemas.js";

export * from "./schemas.js";

/** Every event type the platform publishes, with the version producers write and its payload. */
export const EVENT_CONTRACTS = {
  /** An order was placed: the whole order and its owner. */
  "order.created": {
    version: 1,
    payload: Type.Object({ order: OrderSchema, user: OrderOwnerSchema }),
  },
  /**
   * An order's status changed: the change and the order's version after it (a consumer that has seen
   * a higher version ignores this one), the order as it now is and its owner; `reason` when the
   * platform made the change itself (an order cancelled because its stock was gone).
   */
  "order.status.updated": {
    version: 1,
    payload: Type.Object({
      orderId: Type.String(),
      userId: Type.String(),
      from: OrderStatusSchema,
      to: OrderStatusSchema,
      version: Type.Integer(),
      reason: Type.Optional(Type.String()),
      order: OrderSchema,
      user: OrderOwnerSchema,
    }),
  },
  /** An order's payment went through (the order service confirms the order and commits its stock). */
  "payment.succeeded": {
    version: 1,
    payload: Type.Object({ payment: PaymentSnapshotSchema, user: OrderOwnerSchema }),
  },
  /** An order's payment failed for good (declined past its attempts): the order is cancelled. */
  "payment.failed": {
    version: 1,
    payload: Type.Object({ payment: PaymentSnapshotSchema, user: OrderOwnerSchema, reason: Type.String() }),
  },
  /** Money went back to the customer: `refund` is this refund, `payment` the payment after it. */
  "payment.refunded": {
    version: 1,
    payload: Type.Object({
      payment: PaymentSnapshotSchema,
      refund: Type.Object({
        id: Type.String({ format: "uuid" }),
        amountCents: Type.Integer(),
        reason: Type.String(),
      }),
      user: OrderOwnerSchema,
    }),
  },
  "product.created": {
    version: 1,
    payload: Type.Object({ product: ProductSnapshotSchema, initialStock: Type.Integer() }),
  },
  "product.updated": {
    version: 1,
    payload: Type.Object({
      sku: Type.String(),
      changes: Type.Record(Type.String(), Type.Unknown()),
      product: ProductSnapshotSchema,
    }),
  },
  /** A product left the catalog: no longer listed or sold; orders keep what they bought. */
  "product.archived": {
    version: 1,
    payload: Type.Object({ sku: Type.String(), product: ProductSnapshotSchema }),
  },
  /** Written by the stock scripts (reserve-5.lua): stock fell to or below its threshold. */
  "stock.low": {
    version: 1,
    payload: Type.Object({ sku: Type.String(), available: Type.Integer(), threshold: Type.Integer() }),
  },
  /** Written by replenish-3.lua. */
  "stock.replenished": {
    version: 1,
    payload: Type.Object({
      sku: Type.String(),
      quantity: Type.Integer(),
      available: Type.Integer(),
      reserved: Type.Integer(),
    }),
  },
} as const satisfies Record<string, { version: number; payload: TSchema }>;

export type EventType = keyof typeof EVENT_CONTRACTS;
export type PayloadOf<T extends EventType> = Static<(typeof EVENT_CONTRACTS)[T]["payload"]>;

/** An event of the platform: the envelope with a type and the payload its contract says. */
export type PlatformEvent<T extends EventType = EventType> = {
  [K in T]: DomainEvent<PayloadOf<K>> & { type: K };
}[T];

export const EVENT_TYPES = Object.keys(EVENT_CONTRACTS) as EventType[];

/** A new event of a known type, at its contract's version. */
export function createEvent<T extends EventType>(
  type: T,
  payload: PayloadOf<T>,
  { requestId }: { requestId: string },
): PlatformEvent<T> {
  return newEvent(type, payload, { requestId, version: EVENT_CONTRACTS[type].version }) as PlatformEvent<T>;
}

/** An event whose type or version no contract knows: retrying will not help, it is dead-lettered. */
export class UnknownEventError extends MalformedEventError {
  override readonly name = "UnknownEventError";
}

const checkers = new Map<EventType, TypeCheck<TSchema>>(
  EVENT_TYPES.map((type) => [type, TypeCompiler.Compile(EVENT_CONTRACTS[type].payload as TSchema)]),
);

const isEventType = (type: string): type is EventType => Object.hasOwn(EVENT_CONTRACTS, type);

/** Checks an envelope against its contract: a typed event, or an error saying what does not fit. */
export function readEvent(event: DomainEvent): PlatformEvent {
  if (!isEventType(event.type)) throw new UnknownEventError(`unknown event type ${event.type}`);
  const contract = EVENT_CONTRACTS[event.type];
  if (event.version !== contract.version) {
    throw new UnknownEventError(
      `${event.type} version ${event.version} is not known (only ${contract.version})`,
    );
  }
  const checker = checkers.get(event.type) as TypeCheck<TSchema>;
  if (!checker.Check(event.payload)) {
    const [first] = checker.Errors(event.payload);
    throw new MalformedEventError(
      `${event.type} payload: ${first?.path || "/"} ${first?.message ?? "does not fit"}`,
    );
  }
  return event as PlatformEvent;
}

/** What a consumer does with each event type, or "ignore": every type must be named. */
export type EventHandlers<R> = {
  [T in EventType]: ((event: PlatformEvent<T>) => R) | "ignore";
};

/** Reads an event against its contract and hands it to its handler; undefined for an ignored type. */
export function dispatchEvent<R>(handlers: EventHandlers<R>, event: DomainEvent): R | undefined {
  const read = readEvent(event);
  const handler = handlers[read.type] as ((event: PlatformEvent) => R) | "ignore";
  return handler === "ignore" ? undefined : handler(read);
}
