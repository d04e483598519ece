/** `GET /v1/me`: who the token says you are, and your tenant's ledger position. */
import { Hono } from 'hono';
import type { AppEnv } from '../env';

export const me = new Hono<AppEnv>().get('/', async (c) => {
  const principal = c.get('principal');
  const ledger = c.env.TENANT_LEDGER.get(c.env.TENANT_LEDGER.idFromName(principal.tenantId));
  const info = await ledger.info();
  c.header('X-Ledger-Position', String(info.position));
  return c.json({ subject: principal.subject, tenantId: principal.tenantId, roles: principal.roles, ledgerPosition: info.position });
});
