/**
 * Money as people read it. Amounts travel as integers in minor units of their ISO 4217 currency
 * (ARCHITECTURE §5); a domain may format them (a template, a receipt) without configuration.
 */

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
