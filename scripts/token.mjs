#!/usr/bin/env node
// npm run token -- --tenant <id> --roles <r1,r2> [--sub <user>] [--ttl <seconds>]
// npm run token -- --ops [--sub <operator>]   an operator token for /ops/... (docs/runbook.md)
// Prints a JWT signed with the local dev key (created under .data/dev-keys/ on first use).
import { authSettings, loadOrCreateDevKey, mintToken } from './lib/dev-keys.mjs';
import { flags } from './lib/args.mjs';

const f = flags({
  tenant: { type: 'string', default: 'demo' },
  roles: { type: 'string', default: 'admin' },
  sub: { type: 'string', default: 'dev-user' },
  ttl: { type: 'string', default: String(12 * 3600) },
  ops: { type: 'boolean', default: false },
});
if (!/^[A-Za-z0-9_-]{1,64}$/.test(f.tenant)) {
  console.error('--tenant must be 1-64 characters of A-Z a-z 0-9 _ -');
  process.exit(2);
}
const ttl = Number(f.ttl);
if (!Number.isInteger(ttl) || ttl <= 0) {
  console.error('--ttl must be a positive number of seconds');
  process.exit(2);
}
const { privateJwk } = await loadOrCreateDevKey();
const { issuer, audience, opsAudience } = authSettings();
// Operator tokens: their own audience, the operator role, no tenant (src/middleware/operator-auth.ts).
const claims = f.ops
  ? { tenant: undefined, roles: ['operator'], audience: opsAudience }
  : {
      tenant: f.tenant,
      roles: f.roles
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
      audience,
    };
process.stdout.write(
  `${await mintToken({ privateJwk, sub: f.sub, ttlSeconds: ttl, issuer, ...claims })}\n`,
);
