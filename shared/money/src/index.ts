/**
 * Money as people read it. Amounts travel as integers in minor units of their ISO 4217 currency
 * (ARCHITECTURE §5); a domain may format them (a template, a receipt), and so does the console.
 */

/** One formatter per locale and currency, built once: building an Intl.NumberFormat costs far more than using it. */
const formatters = new Map<string, { format: Intl.NumberFormat; minorPerMajor: number }>();

function formatterOf(currency: string, locale: string | undefined) {
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat(locale, { style: "currency", currency });
  } catch {
    // A code this runtime's Intl does not know: the amount alone, in hundredths.
    format = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  return { format, minorPerMajor: 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2) };
}

/**
 * An amount in minor units of `currency` as people read it, in the currency's own decimal places
 * (ISO 4217): 1999 EUR → "€19.99", 500 JPY → "JP¥500", 1234 KWD → "KWD 1.234". `locale` undefined:
 * the runtime's own (a browser's language).
 */
export function formatMoney(minorUnits: number, currency: string, locale: string | undefined): string {
  const key = `${locale ?? ""} ${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = formatterOf(currency, locale);
    formatters.set(key, formatter);
  }
  return formatter.format.format(minorUnits / formatter.minorPerMajor);
}
