import { describe, expect, test } from "bun:test";
import { MalformedEventError, newEvent, UnknownEventError } from "@platform/events";
import {
  orderCreatedEvent,
  orderStatusUpdatedEvent,
  paymentFailedEvent,
  paymentRefundedEvent,
  paymentSucceededEvent,
  stockLowEvent,
} from "@platform/testing";
import { toActivityEntry, toActivityView } from "./activity.js";

describe("toActivityEntry", () => {
  test("an order event is filed under its order and its owner, keyed by the event id", () => {
    const event = orderCreatedEvent();
    const entry = toActivityEntry(event, "events:orders");
    expect(entry).toMatchObject({
      _id: event.id,
      type: "order.created",
      version: 1,
      occurredAt: new Date(event.occurredAt),
      requestId: event.requestId,
      orderId: event.payload.order.id,
      userId: event.payload.user.id,
      source: "events:orders",
      payload: event.payload,
    });
    expect(entry.sku).toBeUndefined();
  });

  test("a status change is filed under its order and owner; a stock event under its SKU", () => {
    const changed = orderStatusUpdatedEvent({ to: "SHIPPED" });
    expect(toActivityEntry(changed, "events:orders")).toMatchObject({
      orderId: changed.payload.orderId,
      userId: changed.payload.userId,
    });
    const low = toActivityEntry(
      stockLowEvent({ sku: "LAMP-9", available: 1, threshold: 3 }),
      "events:inventory",
    );
    expect(low).toMatchObject({ sku: "LAMP-9", type: "stock.low" });
    expect(low.orderId).toBeUndefined();
  });

  test("a payment event is filed under the order it paid for and its owner, so the order's trail shows it", () => {
    const orderId = Bun.randomUUIDv7();
    for (const event of [
      paymentSucceededEvent({ payment: { orderId } }),
      paymentFailedEvent({ payment: { orderId } }),
      paymentRefundedEvent({ payment: { orderId } }),
    ]) {
      const entry = toActivityEntry(event, "events:payments");
      expect(entry).toMatchObject({
        _id: event.id,
        type: event.type,
        orderId,
        userId: event.payload.payment.userId,
        source: "events:payments",
        payload: event.payload,
      });
      expect(entry.sku).toBeUndefined();
    }
  });

  test("a payment event without its payment throws: it is dead-lettered", () => {
    const { user } = paymentSucceededEvent().payload;
    expect(() =>
      toActivityEntry(newEvent("payment.succeeded", { user }, { requestId: "r" }), "events:payments"),
    ).toThrow(MalformedEventError);
  });

  test("an unknown type or a payload that does not fit its contract throws: it is dead-lettered", () => {
    expect(() => toActivityEntry(newEvent("order.teleported", {}, { requestId: "r" }), "s")).toThrow(
      UnknownEventError,
    );
    expect(() => toActivityEntry(newEvent("stock.low", { sku: 7 }, { requestId: "r" }), "s")).toThrow(
      MalformedEventError,
    );
  });

  test("the view shows what the entry holds, with nulls for what it is not about", () => {
    const low = stockLowEvent({ sku: "LAMP-9", available: 1, threshold: 3 });
    expect(toActivityView(toActivityEntry(low, "events:inventory"))).toEqual({
      id: low.id,
      type: "stock.low",
      version: 1,
      occurredAt: low.occurredAt,
      requestId: low.requestId,
      orderId: null,
      userId: null,
      sku: "LAMP-9",
      payload: low.payload,
    });
  });
});
