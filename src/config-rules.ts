/**
 * Rules a production configuration must meet beyond each setting's own shape
 * (issue #18): the Worker refuses to serve with a development leftover rather than run
 * half-configured. Checked once per isolate by `getConfig` (src/env.ts); each problem names
 * the setting, never its value.
 */

/** Hosts that can never be a production identity provider (RFC 2606/6761 reserved names, loopback, private). */
const LOCAL_HOST =
  /(^localhost$)|(\.localhost$)|(\.local$)|(\.test$)|(\.example$)|(\.invalid$)|(^example\.(com|net|org)$)|(^127\.)|(^0\.0\.0\.0$)|(^\[::1?\]$)|(^10\.)|(^192\.168\.)|(^172\.(1[6-9]|2\d|3[01])\.)/i;

/** True when `url` is not an https URL on a public host. */
export function isLocalOrInsecure(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return true;
  }
  return parsed.protocol !== 'https:' || LOCAL_HOST.test(parsed.hostname);
}

/** Raw settings as the Worker receives them (empty strings already dropped). */
type RawSettings = Record<string, unknown>;

/**
 * Problems of a production configuration (`APP_ENV=production`); empty for other
 * environments. `AUTH_JWKS_URL` (https, public host), a public `AUTH_ISSUER`, `CURSOR_SECRET`
 * and `DATABASE_URL` are required; the local-only `DB_WS_PROXY` bridge and the
 * `AUTH_PUBLIC_JWK` development key are refused.
 */
export function productionProblems(raw: RawSettings): string[] {
  if (raw.APP_ENV !== 'production') return [];
  const problems: string[] = [];
  const text = (name: string) =>
    typeof raw[name] === 'string' ? (raw[name] as string) : undefined;
  const jwks = text('AUTH_JWKS_URL');
  if (jwks === undefined)
    problems.push("AUTH_JWKS_URL: required in production (the identity provider's JWKS URL)");
  else if (isLocalOrInsecure(jwks))
    problems.push('AUTH_JWKS_URL: must be an https URL on a public host in production');
  const issuer = text('AUTH_ISSUER');
  if (issuer !== undefined && isLocalOrInsecure(issuer))
    problems.push(
      'AUTH_ISSUER: must be the https issuer of a public identity provider in production (not a local or placeholder host)',
    );
  if (text('CURSOR_SECRET') === undefined)
    problems.push(
      'CURSOR_SECRET: required in production (32+ characters; wrangler secret put CURSOR_SECRET)',
    );
  if (text('DATABASE_URL') === undefined)
    problems.push('DATABASE_URL: required in production (wrangler secret put DATABASE_URL)');
  if (text('DB_WS_PROXY') !== undefined)
    problems.push('DB_WS_PROXY: the local database bridge must not be set in production');
  if (text('AUTH_PUBLIC_JWK') !== undefined)
    problems.push(
      'AUTH_PUBLIC_JWK: the development signing key must not be set in production (use AUTH_JWKS_URL)',
    );
  return problems;
}
