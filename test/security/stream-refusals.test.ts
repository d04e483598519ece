/**
 * The live stream refuses before the upgrade, always as problem+json: no/forged/expired
 * token, a missing permission, a token in the query, a browser Origin not allowed, tickets
 * reused, expired, of another tenant or offered from another Origin, connect floods (the
 * rate limiter) and connections over the per-user and per-tenant limits.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { generateKeyPair, exportJWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appWith,
  call,
  connect,
  expectRefusal,
  TestSocket,
  token,
  uniqueTenant,
  upgrade,
} from '../integration/stream-fixtures';

const APP = 'https://app.finance-edge.test';
const OTHER = 'https://other.finance-edge.test';
const open: TestSocket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function ticketFor(
  t: string,
  origin = APP,
  fetch?: (path: string, init?: RequestInit) => Promise<Response>,
): Promise<string> {
  const init = { method: 'POST', headers: { Authorization: `Bearer ${t}`, Origin: origin } };
  const res = fetch
    ? await fetch('/v1/stream/tickets', init)
    : await call('/v1/stream/tickets', { method: 'POST', token: t, headers: { Origin: origin } });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  expect(res.headers.get('Cache-Control')).toBe('no-store');
  const body = JSON.parse(text) as { ticket: string; expiresAt: string; protocols: string[] };
  expect(body.protocols).toEqual(['finance-edge.v1', `ticket.${body.ticket}`]);
  expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(30_000);
  return body.ticket;
}

const browser = (ticket: string, origin = APP) => ({
  Origin: origin,
  'Sec-WebSocket-Protocol': `finance-edge.v1, ticket.${ticket}`,
});

describe('stream refusals before the upgrade', () => {
  it('no token, a malformed, forged or expired token: 401 unauthorized', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const forged = await token({ key: { ...(await exportJWK(privateKey)), kid: 'attacker' } });
    const expired = await token({ expiresIn: Math.floor(Date.now() / 1000) - 3600 });
    // Within the clock tolerance other routes allow, but a stream would only be closed 4401 at once.
    const justExpired = await token({
      tenant: uniqueTenant(),
      expiresIn: Math.floor(Date.now() / 1000) - 10,
    });
    expect((await call('/v1/me', { token: justExpired })).status).toBe(200);
    for (const [label, t] of [
      ['none', undefined],
      ['malformed', 'not-a-jwt'],
      ['forged', forged],
      ['expired', expired],
      ['just expired', justExpired],
    ] as const) {
      await expectRefusal(await upgrade(t), 401, 'unauthorized', label);
    }
  });

  it('a token whose roles lack books:read: 403 forbidden', async () => {
    await expectRefusal(
      await upgrade(await token({ tenant: uniqueTenant(), roles: [] })),
      403,
      'forbidden',
    );
  });

  it('not an upgrade: 426; a token or any other parameter in the query, or a batch not true/false: 400; after beyond the head: 400', async () => {
    const t = await token({ tenant: uniqueTenant() });
    await expectRefusal(await call('/v1/stream', { token: t }), 426, 'upgrade_required');
    const inQuery = await call(`/v1/stream?access_token=${t}`, {
      headers: { Upgrade: 'websocket' },
    });
    expect(inQuery.status).toBe(401);
    await expectRefusal(
      await call('/v1/stream?access_token=x', { token: t, headers: { Upgrade: 'websocket' } }),
      400,
      'validation_failed',
    );
    for (const batch of ['yes', '1', 'TRUE', ''])
      await expectRefusal(
        await upgrade(t, 0, {}, `batch=${batch}`),
        400,
        'validation_failed',
        `batch=${batch}`,
      );
    await expectRefusal(await upgrade(t, 5), 400, 'invalid_after');
    await expectRefusal(
      await upgrade(t, 0, { 'Sec-WebSocket-Protocol': 'chat.v2' }),
      400,
      'unsupported_subprotocol',
    );
  });

  it('a browser Origin not in CORS_ALLOWED_ORIGINS: 403, with a token or a ticket', async () => {
    const t = await token({ tenant: uniqueTenant() });
    await expectRefusal(
      await upgrade(t, 0, { Origin: 'https://evil.example' }),
      403,
      'cors_origin_not_allowed',
    );
    const ticket = await ticketFor(t);
    await expectRefusal(
      await upgrade(undefined, 0, browser(ticket, 'https://evil.example')),
      403,
      'cors_origin_not_allowed',
    );
    await expectRefusal(
      await call('/v1/stream/tickets', {
        method: 'POST',
        token: t,
        headers: { Origin: 'https://evil.example' },
      }),
      403,
      'cors_origin_not_allowed',
    );
    await expectRefusal(
      await call('/v1/stream/tickets', { method: 'POST', token: t }),
      400,
      'origin_required',
    );
  });

  it('a ticket opens one socket, echoing only finance-edge.v1; reused it is a 401', async () => {
    const t = await token({ tenant: uniqueTenant() });
    const ticket = await ticketFor(t);
    const res = await upgrade(undefined, 0, browser(ticket));
    expect(res.status).toBe(101);
    expect(res.headers.get('Sec-WebSocket-Protocol')).toBe('finance-edge.v1');
    const socket = new TestSocket(res.webSocket as WebSocket);
    open.push(socket);
    await socket.untilCaughtUp();
    await expectRefusal(await upgrade(undefined, 0, browser(ticket)), 401, 'unauthorized');
  });

  it("a ticket carries the permissions of the token it was issued to: a viewer's stream has no actor or requestId", async () => {
    const tenant = uniqueTenant();
    await call('/v1/customers', {
      method: 'POST',
      token: await token({ tenant }),
      body: { name: 'Seen' },
      headers: { 'Idempotency-Key': crypto.randomUUID() },
    });
    const ticket = await ticketFor(await token({ tenant, roles: ['viewer'], sub: 'viewer' }));
    const res = await upgrade(undefined, 0, browser(ticket));
    expect(res.status).toBe(101);
    const socket = new TestSocket(res.webSocket as WebSocket);
    open.push(socket);
    await socket.untilCaughtUp();
    const events = socket.frames.flatMap((f) => (f.type === 'event' ? [f.event] : []));
    expect(events.length).toBeGreaterThan(1);
    for (const e of events) {
      expect(e.tenantId).toBe(tenant);
      expect(e).not.toHaveProperty('actor');
      expect(e).not.toHaveProperty('requestId');
    }
  });

  it('an expired ticket, a ticket of another tenant, a ticket offered from another allowed Origin: 401', async () => {
    const { fetch } = appWith({ CORS_ALLOWED_ORIGINS: `${APP},${OTHER}` });
    const [a, b] = [uniqueTenant(), uniqueTenant()];
    const [ta, tb] = [await token({ tenant: a }), await token({ tenant: b })];
    const get = (headers: Record<string, string>) =>
      fetch('/v1/stream', { headers: { Upgrade: 'websocket', ...headers } });

    const stale = await ticketFor(ta, APP, fetch);
    await runInDurableObject(
      env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(a)),
      (_o, state: DurableObjectState) => {
        state.storage.sql.exec('UPDATE stream_tickets SET expires_at = ?', Date.now() - 1);
      },
    );
    await expectRefusal(await get(browser(stale)), 401, 'unauthorized', 'expired');

    const ofB = await ticketFor(tb, APP, fetch);
    const secret = ofB.slice(ofB.indexOf('.') + 1);
    await expectRefusal(
      await get(browser(`${a}.${secret}`)),
      401,
      'unauthorized',
      'B secret, A tenant',
    );

    const fromApp = await ticketFor(ta, APP, fetch);
    await expectRefusal(await get(browser(fromApp, OTHER)), 401, 'unauthorized', 'other origin');
    // Each refused ticket is gone: not even its own Origin can use it afterwards.
    await expectRefusal(await get(browser(fromApp, APP)), 401, 'unauthorized', 'burnt');
    await expectRefusal(await get(browser('garbage')), 401, 'unauthorized', 'garbage');
  });

  it('connects count against the rate limiter: 429 rate_limited with Retry-After', async () => {
    const { fetch } = appWith({ RATE_LIMIT_USER: '2/1m' });
    const t = await token({ tenant: uniqueTenant() });
    const init = { headers: { Upgrade: 'websocket', Authorization: `Bearer ${t}` } };
    for (let i = 0; i < 2; i++) {
      const res = await fetch('/v1/stream', init);
      expect(res.status).toBe(101);
      open.push(new TestSocket(res.webSocket as WebSocket));
    }
    const refused = await fetch('/v1/stream', init);
    await expectRefusal(refused, 429, 'rate_limited');
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
  });

  it('over the open sockets per user, then per tenant: 429 stream_connection_limit; a closed socket frees its place', async () => {
    const { fetch } = appWith({
      STREAM_MAX_CONNECTIONS_PER_USER: '2',
      STREAM_MAX_CONNECTIONS_PER_TENANT: '3',
    });
    const tenant = uniqueTenant();
    const as = async (sub: string) =>
      fetch('/v1/stream', {
        headers: { Upgrade: 'websocket', Authorization: `Bearer ${await token({ tenant, sub })}` },
      });
    const keep = async (res: Response) => {
      expect(res.status).toBe(101);
      const s = new TestSocket(res.webSocket as WebSocket);
      open.push(s);
      await s.untilCaughtUp();
      return s;
    };
    const first = await keep(await as('u1'));
    await keep(await as('u1'));
    await expectRefusal(await as('u1'), 429, 'stream_connection_limit', 'per user');
    await keep(await as('u2'));
    const perTenant = await as('u3');
    await expectRefusal(perTenant, 429, 'stream_connection_limit', 'per tenant');
    expect(perTenant.headers.get('Retry-After')).toBeTruthy();
    first.close();
    await first.untilClosed();
    await expect
      .poll(async () => {
        const res = await as('u3');
        if (res.status === 101) open.push(new TestSocket(res.webSocket as WebSocket));
        return res.status;
      })
      .toBe(101);
  });
});

it('a plain connect with the test token works (sanity of the helpers above)', async () => {
  const s = await connect(await token({ tenant: uniqueTenant() }));
  open.push(s);
  await s.untilCaughtUp();
  expect(s.frames).toEqual([{ type: 'caught_up', position: 0 }]);
});
