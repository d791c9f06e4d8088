/**
 * ISO 4217 currency codes, as the runtime's Intl knows them: the one list, registered as the
 * TypeBox format "iso4217" so that configuration and request schemas check a currency the same way.
 */
import { FormatRegistry, Type } from "@sinclair/typebox";

const CODES = Intl.supportedValuesOf("currency");
const CURRENCIES = new Set(CODES);
FormatRegistry.Set("iso4217", (value) => CURRENCIES.has(value));

export const isCurrency = (code: string): boolean => CURRENCIES.has(code);

/**
 * A currency code in a request or response schema, e.g. "EUR". The format is what validates; the
 * enum says the same to readers of the OpenAPI document (TypeBox does not check `enum` on strings).
 */
export const CurrencySchema = Type.String({
  pattern: "^[A-Z]{3}$",
  format: "iso4217",
  enum: CODES,
  description: "ISO 4217 currency code",
});
