// Connection settings for a direct PostgreSQL connection (npm run migrate against Neon or
// any server that is not the local stack), with libpq's `sslmode` honoured by node-postgres:
//   disable      plain TCP (only where you mean it: a server on this machine)
//   require      TLS; the certificate is not checked (libpq's meaning) unless sslrootcert
//                is given, which then makes it verify-ca
//   verify-ca    TLS; the chain must lead to sslrootcert (or the system CAs)
//   verify-full  TLS; chain as verify-ca, and the certificate must name the host
// No sslmode: verify-full, except for a loopback host (disable). sslrootcert=<file> (PEM) or
// `system` picks the trust anchors (default: Node's bundled CAs, which Neon's chain to).
// channel_binding=require (in Neon's strings) turns on SCRAM channel binding.
import { readFileSync } from 'node:fs';

const MODES = new Set(['disable', 'require', 'verify-ca', 'verify-full']);
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;

/**
 * @param {string} databaseUrl  postgres:// or postgresql:// URL
 * @returns {{ config: import('pg').ClientConfig, sslmode: string, host: string }}
 */
export function pgClientConfig(databaseUrl) {
  let url;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error(
      'DATABASE_URL is not a URL (postgres://USER:PW@HOST:5432/DB?sslmode=verify-full)',
    );
  }
  if (!/^postgres(ql)?:$/.test(url.protocol))
    throw new Error('DATABASE_URL must be a postgres:// URL');
  const host = url.hostname;
  const params = url.searchParams;
  const sslmode = params.get('sslmode') ?? (LOOPBACK.test(host) ? 'disable' : 'verify-full');
  if (!MODES.has(sslmode))
    throw new Error(
      `sslmode=${sslmode} is not supported here: use verify-full (or require, verify-ca, disable)`,
    );
  const rootcert = params.get('sslrootcert');
  const ca = rootcert && rootcert !== 'system' ? readFileSync(rootcert, 'utf8') : undefined;
  const channelBinding = params.get('channel_binding') === 'require';
  /** @type {import('pg').ClientConfig['ssl']} */
  let ssl = false;
  if (sslmode === 'require' && !ca) ssl = { rejectUnauthorized: false };
  else if (sslmode === 'require' || sslmode === 'verify-ca')
    ssl = { rejectUnauthorized: true, ...(ca ? { ca } : {}), checkServerIdentity: () => undefined };
  else if (sslmode === 'verify-full')
    ssl = {
      rejectUnauthorized: true,
      ...(ca ? { ca } : {}),
      servername: LOOPBACK.test(host) ? undefined : host,
    };
  return {
    host,
    sslmode,
    config: {
      host,
      port: url.port ? Number(url.port) : 5432,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
      ssl,
      enableChannelBinding: channelBinding,
      connectionTimeoutMillis: 15_000,
      application_name: 'finance-edge:migrate',
    },
  };
}

/** The URL without its password, for messages. */
export function redactedUrl(databaseUrl) {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
