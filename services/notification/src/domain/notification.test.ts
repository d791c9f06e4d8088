import { describe, expect, test } from "bun:test";
import { createEvent, newEvent, UnknownEventError } from "@platform/events";
import { orderCreatedEvent, orderStatusUpdatedEvent, stockLowEvent } from "@platform/testing";
import { type Channel, notificationsFor, ownerChannels } from "./notification.js";

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
    const [first] = notificationsFor(event, options);
    expect(first?.bodyText).toContain("Out of stock: MUG-1.");
    expect(first?.data).toMatchObject({ type: "order.status.updated", status: "CANCELLED" });
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
