import { describe, expect, test } from "bun:test";
import { createEvent, newEvent, UnknownEventError } from "@platform/events";
import {
  orderCreatedEvent,
  orderStatusUpdatedEvent,
  paymentFailedEvent,
  paymentRefundedEvent,
  paymentSucceededEvent,
  stockLowEvent,
} from "@platform/testing";
import { CHANNELS, type Channel, notificationsFor, ownerChannels } from "./notification.js";

const options: { customerChannels: Channel[]; adminEmails: string[] } = {
  customerChannels: ["log", "email", "websocket"],
  adminEmails: ["ops@example.com"],
};

describe("notificationsFor", () => {
  test("an order event gives one notification per customer channel, to its owner", () => {
    const event = orderCreatedEvent();
    const { order, user } = event.payload;
    const made = notificationsFor(event, options);
    expect(made.map((n) => [n.channel, n.recipient])).toEqual([
      ["log", user.id],
      ["email", user.email],
      ["websocket", user.id],
    ]);
    for (const notification of made) {
      expect(notification).toMatchObject({
        eventId: event.id,
        eventType: "order.created",
        userId: user.id,
        orderId: order.id,
        subject: `Order ${order.id.slice(-8)} confirmed`,
        data: {
          type: "order.created",
          orderId: order.id,
          status: "CONFIRMED",
          totalCents: order.totalCents,
          currency: "EUR",
          eventId: event.id,
          requestId: event.requestId,
          occurredAt: event.occurredAt,
        },
      });
    }
  });

  test("sms goes to the owner's phone as one short line, and only when they have a phone", () => {
    const channels: Channel[] = ["log", "email", "sms"];
    const id = Bun.randomUUIDv7();
    const withPhone = orderCreatedEvent({
      user: { id, email: "ada@example.com", name: "Ada", phone: "+4915112345678" },
    });
    const made = notificationsFor(withPhone, { ...options, customerChannels: channels });
    expect(made.map((n) => [n.channel, n.recipient])).toEqual([
      ["log", id],
      ["email", "ada@example.com"],
      ["sms", "+4915112345678"],
    ]);
    const sms = made.find((n) => n.channel === "sms");
    expect(sms?.bodyText).toBe(
      `Order ${withPhone.payload.order.id.slice(-8)} confirmed: 1 item, total €25.00.`,
    );
    const withoutPhone = orderCreatedEvent({ user: { id, email: "ada@example.com", name: "Ada" } });
    expect(
      notificationsFor(withoutPhone, { ...options, customerChannels: channels }).map((n) => n.channel),
    ).toEqual(["log", "email"]);
  });

  test("only the channels that send a message body store one: email both, sms the short line", () => {
    const channels: Channel[] = ["log", "email", "webhook", "websocket", "sms"];
    const event = orderCreatedEvent({
      user: { id: Bun.randomUUIDv7(), email: "ada@example.com", name: "Ada", phone: "+4915112345678" },
    });
    const bodies = Object.fromEntries(
      notificationsFor(event, { ...options, customerChannels: channels }).map((n) => [
        n.channel,
        [n.bodyText.length > 0, n.bodyHtml.length > 0],
      ]),
    );
    expect(bodies).toEqual({
      log: [false, false],
      email: [true, true],
      webhook: [false, false],
      websocket: [false, false],
      sms: [true, false],
    });
  });

  test("the owner's preferences switch email, sms and webhook off; log and WebSocket stay", () => {
    const channels: Channel[] = ["log", "email", "webhook", "websocket", "sms"];
    const user = {
      id: Bun.randomUUIDv7(),
      email: "ada@example.com",
      name: "Ada",
      phone: "+4915112345678",
      notificationPreferences: { email: false, sms: true, webhook: false },
    };
    expect(ownerChannels(channels, user)).toEqual(["log", "websocket", "sms"]);
    const nothingOptional = {
      ...user,
      notificationPreferences: { email: false, sms: false, webhook: false },
    };
    expect(ownerChannels(channels, nothingOptional)).toEqual(["log", "websocket"]);
    // Only what the platform is configured for, whatever the user wants.
    expect(
      ownerChannels(["log"], { ...user, notificationPreferences: { email: true, sms: true, webhook: true } }),
    ).toEqual(["log"]);
  });

  test("a status change carries the reason in its words", () => {
    const event = orderStatusUpdatedEvent({ to: "CANCELLED", reason: "Out of stock: MUG-1." });
    const email = notificationsFor(event, options).find((n) => n.channel === "email");
    expect(email?.bodyText).toContain("Out of stock: MUG-1.");
    expect(email?.data).toMatchObject({ type: "order.status.updated", status: "CANCELLED" });
  });

  test("an order placed to be paid reads as received, awaiting payment; its payment confirms it", () => {
    const placed = orderCreatedEvent({ order: { status: "PENDING_PAYMENT" } });
    const [received] = notificationsFor(placed, options);
    expect(received?.subject).toBe(`Order ${placed.payload.order.id.slice(-8)} received, awaiting payment`);
    expect(received?.data).toMatchObject({ type: "order.created", status: "PENDING_PAYMENT" });
    const paid = orderStatusUpdatedEvent({ from: "PENDING_PAYMENT", to: "CONFIRMED" });
    const [confirmed] = notificationsFor(paid, options);
    expect(confirmed?.subject).toBe(`Order ${paid.payload.orderId.slice(-8)} was paid and is confirmed`);
  });

  // Cy wants text messages and webhooks, no email.
  const cy = {
    id: Bun.randomUUIDv7(),
    email: "cy@example.com",
    name: "Cy",
    phone: "+4915112345678",
    notificationPreferences: { email: false, sms: true, webhook: true },
  };
  const every = { ...options, customerChannels: [...CHANNELS] };

  test("a payment event reaches the order's owner on the channels an order event does, about that order", () => {
    const event = paymentSucceededEvent({ user: cy });
    const { payment } = event.payload;
    const made = notificationsFor(event, every);
    const forAnOrder = notificationsFor(orderCreatedEvent({ user: cy }), every);
    expect(made.map((n) => [n.channel, n.recipient])).toEqual(
      forAnOrder.map((n) => [n.channel, n.recipient]),
    );
    expect(made.map((n) => n.channel)).toEqual(["log", "webhook", "websocket", "sms"]);
    for (const notification of made) {
      expect(notification).toMatchObject({
        eventId: event.id,
        eventType: "payment.succeeded",
        userId: cy.id,
        orderId: payment.orderId,
        subject: `Payment received for order ${payment.orderId.slice(-8)}`,
        data: {
          type: "payment.succeeded",
          orderId: payment.orderId,
          paymentId: payment.id,
          paymentStatus: "SUCCEEDED",
          amountCents: 2500,
          refundedCents: 0,
          currency: "EUR",
          eventId: event.id,
          requestId: event.requestId,
          occurredAt: event.occurredAt,
        },
      });
    }
    expect(made.find((n) => n.channel === "sms")?.bodyText).toBe(
      `Payment of €25.00 received for order ${payment.orderId.slice(-8)}.`,
    );
  });

  test("a failed payment tells the owner why; a refund how much went back and why", () => {
    const failed = paymentFailedEvent({ reason: "Your card was declined." });
    const declined = notificationsFor(failed, options).find((n) => n.channel === "email");
    expect(declined?.subject).toBe(`Payment failed for order ${failed.payload.payment.orderId.slice(-8)}`);
    expect(declined?.bodyText).toContain("Your card was declined.");
    expect(declined?.data).toMatchObject({ paymentStatus: "FAILED", reason: "Your card was declined." });

    const refunded = paymentRefundedEvent({ payment: { amountCents: 4499 }, reason: "Order cancelled." });
    const refund = notificationsFor(refunded, options).find((n) => n.channel === "email");
    expect(refund?.subject).toBe(`Refund of €44.99 for order ${refunded.payload.payment.orderId.slice(-8)}`);
    expect(refund?.bodyText).toContain("Order cancelled.");
    expect(refund?.data).toMatchObject({
      paymentStatus: "REFUNDED",
      refundedCents: 4499,
      refund: refunded.payload.refund,
    });
  });

  test("low stock goes to the admins by email and log; by log alone when no admin address is set", () => {
    const event = stockLowEvent({ sku: "LAMP-9", available: 1, threshold: 3 });
    expect(notificationsFor(event, options).map((n) => [n.channel, n.recipient, n.userId])).toEqual([
      ["log", "admins", null],
      ["email", "ops@example.com", null],
    ]);
    expect(notificationsFor(event, { ...options, adminEmails: [] }).map((n) => n.channel)).toEqual(["log"]);
  });

  test("catalog events notify nobody; an unknown type throws (it is dead-lettered)", () => {
    const replenished = createEvent(
      "stock.replenished",
      { sku: "LAMP-9", quantity: 5, available: 6, reserved: 0 },
      { requestId: "r" },
    );
    expect(notificationsFor(replenished, options)).toEqual([]);
    expect(() => notificationsFor(newEvent("order.exploded", {}, { requestId: "r" }), options)).toThrow(
      UnknownEventError,
    );
  });
});
