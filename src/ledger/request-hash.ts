/**
 * The fingerprint an `Idempotency-Key` is bound to: SHA-256 (hex) over the method, the route
 * template, the resource id and the canonical JSON of the validated body (keys sorted at
 * every level), so key order and whitespace never make two equal requests differ.
 */

/** JSON with object keys sorted recursively. */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    ) ?? 'null'
  );
}

/** Hex SHA-256 of `method route id body`. */
export async function requestHash(
  method: string,
  route: string,
  id: string,
  body: unknown,
): Promise<string> {
  const input = `${method.toUpperCase()}\n${route}\n${id}\n${canonicalJson(body)}`;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(input));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
