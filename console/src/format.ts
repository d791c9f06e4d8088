/** How money, times and states read on screen. Formatters are built once per currency (they are costly). */
import { formatMoney } from "@platform/money";
import type { OrderStatus, Product } from "./api/types";

/** An amount in minor units (`priceCents`) of `currency`, e.g. 1999 USD → "$19.99", 500 JPY → "¥500". */
export const money = (minorUnits: number, currency: string): string =>
  formatMoney(minorUnits, currency, undefined); // the browser's language

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export const dateTime = (iso: string): string => dateTimeFormat.format(new Date(iso));

export const STOCK_STATUS_TEXT: Record<Product["stockStatus"], string> = {
  in_stock: "In stock",
  low_stock: "Low stock",
  out_of_stock: "Out of stock",
};

export const ORDER_STATUS_TEXT: Record<OrderStatus, string> = {
  PENDING_PAYMENT: "Pending payment",
  CONFIRMED: "Confirmed",
  SHIPPED: "Shipped",
  DELIVERED: "Delivered",
  CANCELLED: "Cancelled",
};

/** The last block of a UUID: its random part (a UUIDv7 begins with its time), enough to tell orders apart. */
export const shortId = (id: string): string => id.slice(-8);
