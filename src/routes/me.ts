/** `GET /v1/me`: who the token says you are, what your roles allow, and your tenant's ledger position. */
import { Hono } from 'hono';
import { AUTHENTICATED } from '../auth/permissions';
import type { AppEnv } from '../env';
import { ledgerOf } from '../ledger/client';
import { requirePermission } from '../auth/authorize';

/** Any verified token may ask who it is (also one whose roles grant nothing). */
export const me = new Hono<AppEnv>().get('/', requirePermission(AUTHENTICATED), async (c) => {
  const principal = c.get('principal');
  const info = await ledgerOf(c).info();
  c.header('X-Ledger-Position', String(info.position));
  return c.json({
    subject: principal.subject,
    tenantId: principal.tenantId,
    roles: principal.roles,
    permissions: [...principal.permissions],
    ledgerPosition: info.position,
  });
});
