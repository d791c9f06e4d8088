/**
 * Headers of every answer of the edge. The API answers JSON only: no browser should sniff it into
 * something else, frame it, send its URL on as a referrer, or keep a copy of it (answers carry
 * personal data and are personal to a token). The documentation pages are HTML with scripts, so
 * the strict Content-Security-Policy is for /api answers only. HSTS belongs to whatever terminates
 * TLS in front of the gateway.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

export const API_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "cache-control": "no-store",
};
