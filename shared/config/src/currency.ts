/**
 * ISO 4217 currency codes, as the runtime's Intl knows them: the one list, registered as the
 * TypeBox format "iso4217" so that configuration and request schemas check a currency the same way.
 */
import { FormatRegistry, Type } from "@sinclair/typebox";

const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));
FormatRegistry.Set("iso4217", (value) => CURRENCIES.has(value));

export const isCurrency = (code: string): boolean => CURRENCIES.has(code);

/** A currency code in a request or response schema, e.g. "EUR". */
export const CurrencySchema = Type.String({
  pattern: "^[A-Z]{3}$",
  format: "iso4217",
  description: "ISO 4217 currency code",
});
