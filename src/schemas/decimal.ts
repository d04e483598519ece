/**
 * Exact decimal scaling for quantities and tax rates. The number's shortest round-trip
 * decimal form (what `String(n)` prints, and what the client wrote in JSON) is shifted by
 * string manipulation, so 8.875 → 88750 ppm and 1.005 → 1005 milli with no float drift.
 */

const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * `n × 10^scale` as an exact safe integer, or null when `n` is negative, has more than
 * `scale` fractional digits, or the result is not a safe integer.
 */
export function exactScaled(n: number, scale: number): number | null {
  if (!Number.isFinite(n) || n < 0) return null;
  const match = PLAIN_DECIMAL.exec(String(n));
  if (match === null) return null; // exponent forms: far too large or too small anyway
  const [, whole = '0', fraction = ''] = match;
  if (fraction.length > scale) return null;
  const scaled = BigInt(whole) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0');
  return scaled <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(scaled) : null;
}

/** `exactScaled` for values a schema has already checked; throws if that was skipped. */
export function scaled(n: number, scale: number): number {
  const value = exactScaled(n, scale);
  if (value === null) throw new RangeError('decimal was not validated');
  return value;
}
