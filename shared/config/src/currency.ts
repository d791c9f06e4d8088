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

/** One formatter per locale and currency, built once: building an Intl.NumberFormat costs far more than using it. */
const formatters = new Map<string, { format: Intl.NumberFormat; minorPerMajor: number }>();

/**
 * An amount in minor units of `currency` as people read it, in the currency's own decimal places
 * (ISO 4217): 1999 EUR → "€19.99", 500 JPY → "JP¥500", 1234 KWD → "KWD 1.234".
 */
export function formatMoney(minorUnits: number, currency: string, locale = "en-GB"): string {
  const key = `${locale} ${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const format = new Intl.NumberFormat(locale, { style: "currency", currency });
    formatter = { format, minorPerMajor: 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2) };
    formatters.set(key, formatter);
  }
  return formatter.format.format(minorUnits / formatter.minorPerMajor);
}
