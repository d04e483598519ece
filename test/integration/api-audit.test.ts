/** `GET /v1/audit?streamId=`: who changed a resource, how, when and through which request. */
import { describe, expect, it } from 'vitest';
import { openBooks } from '../fixtures/books';
import { expectJson, expectProblem, get, patch, post, token, uniqueTenant } from '../fixtures/http';

type Page = {
  streamId: string;
  data: Array<Record<string, unknown>>;
  nextAfter: number;
  hasMore: boolean;
};

const history = async (t: string, query: string): Promise<Page> =>
  (await expectJson(await get(t, `/v1/audit?${query}`), 200)) as unknown as Page;

describe('audit trail', () => {
  it('lists every change of one resource with actor, event, time, request id, version and position', async () => {
    const tenant = uniqueTenant();
    const alice = await token({ tenant, sub: 'alice', roles: ['clerk'] });
    const bob = await token({ tenant, sub: 'bob', roles: ['accountant'] });
    const created = await post(
      alice,
      '/v1/customers',
      { name: 'Acme' },
      { 'X-Request-Id': 'req-create-1' },
    );
    const customer = await expectJson(created, 201);
    await expectJson(await post(alice, '/v1/customers', { name: 'Other' }), 201);
    const renamed = await patch(bob, `/v1/customers/${customer.id}`, { name: 'Acme GmbH' });
    await expectJson(renamed, 200);
    await expectJson(await post(bob, `/v1/customers/${customer.id}/deactivate`), 200);

    const auditor = await token({ tenant, sub: 'carol', roles: ['auditor'] });
    const res = await get(auditor, `/v1/audit?streamId=customer:${customer.id}`);
    const page = (await expectJson(res, 200)) as unknown as Page;
    expect(res.headers.get('Cache-Control')).toBe('private, no-store');
    expect(page).toMatchObject({ streamId: `customer:${customer.id}`, hasMore: false });
    expect(page.data.map((e) => [e.type, e.actor, e.version])).toEqual([
      ['customer.created', 'alice', 1],
      ['customer.updated', 'bob', 2],
      ['customer.deactivated', 'bob', 3],
    ]);
    expect(page.data[0]).toMatchObject({
      requestId: 'req-create-1',
      data: expect.objectContaining({ name: 'Acme' }),
    });
    expect(page.data[1]?.requestId).toBe(renamed.headers.get('X-Request-Id'));
    const positions = page.data.map((e) => Number(e.position));
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    expect(positions[1]).toBeGreaterThan((positions[0] ?? 0) + 1); // the other customer sits in between, not listed
    for (const e of page.data) expect(Date.parse(String(e.at))).not.toBeNaN();
    expect(page.nextAfter).toBe(positions.at(-1));
    expect(Object.keys(page.data[0] ?? {}).sort()).toEqual([
      'actor',
      'at',
      'data',
      'position',
      'requestId',
      'type',
      'version',
    ]);
  });

  it('pages by position with limit / after / nextAfter / hasMore', async () => {
    const { t, customerId } = await openBooks();
    for (const name of ['B', 'C', 'D', 'E'])
      await expectJson(await patch(t, `/v1/customers/${customerId}`, { name }), 200);
    const stream = `streamId=customer:${customerId}`;
    const first = await history(t, `${stream}&limit=2`);
    expect(first.data.map((e) => e.version)).toEqual([1, 2]);
    expect(first.hasMore).toBe(true);
    const second = await history(t, `${stream}&limit=2&after=${first.nextAfter}`);
    expect(second.data.map((e) => e.version)).toEqual([3, 4]);
    const last = await history(t, `${stream}&limit=2&after=${second.nextAfter}`);
    expect(last).toMatchObject({ hasMore: false, data: [expect.objectContaining({ version: 5 })] });
    const beyond = await history(t, `${stream}&after=${last.nextAfter}`);
    expect(beyond).toEqual({
      streamId: `customer:${customerId}`,
      data: [],
      nextAfter: last.nextAfter,
      hasMore: false,
    });
  });

  it('covers the settings stream', async () => {
    const { t } = await openBooks();
    await expectJson(await patch(t, '/v1/settings', { lockDate: '2024-12-31' }), 200);
    const page = await history(t, 'streamId=settings');
    expect(page.data.map((e) => e.type).at(-1)).toBe('settings.updated');
  });

  it("another tenant's stream, and an unknown one, answer the same 404", async () => {
    const a = await openBooks();
    const b = await token({ tenant: uniqueTenant(), roles: ['admin'] });
    const foreign = await expectProblem(
      await get(b, `/v1/audit?streamId=customer:${a.customerId}`),
      404,
      'customer_not_found',
    );
    const unknown = await expectProblem(
      await get(a.t, '/v1/audit?streamId=customer:cus_nobody'),
      404,
      'customer_not_found',
    );
    expect(foreign.detail).toBe(unknown.detail);
    await expectProblem(await get(b, '/v1/audit?streamId=settings'), 404, 'settings_not_found');
  });

  it('needs audit:read: viewer, clerk and accountant get 403', async () => {
    const { tenant, customerId } = await openBooks();
    for (const role of ['viewer', 'clerk', 'accountant']) {
      const t = await token({ tenant, roles: [role] });
      await expectProblem(
        await get(t, `/v1/audit?streamId=customer:${customerId}`),
        403,
        'forbidden',
      );
    }
    for (const role of ['auditor', 'controller', 'admin'])
      await history(await token({ tenant, roles: [role] }), `streamId=customer:${customerId}`);
  });

  it('bad parameters are 400 validation_failed', async () => {
    const { t, customerId } = await openBooks();
    const cases: Array<[string, string]> = [
      ['', 'streamId'],
      ['streamId=', 'streamId'],
      [`streamId=${customerId}`, 'streamId'],
      ['streamId=customer:', 'streamId'],
      ['streamId=tenant:cus_1', 'streamId'],
      [`streamId=customer:${customerId}%27--`, 'streamId'],
      [`streamId=customer:${customerId}&limit=0`, 'limit'],
      [`streamId=customer:${customerId}&limit=101`, 'limit'],
      [`streamId=customer:${customerId}&after=-1`, 'after'],
      [`streamId=customer:${customerId}&after=1e3`, 'after'],
      [`streamId=customer:${customerId}&colour=red`, 'colour'],
    ];
    for (const [query, path] of cases) {
      const problem = await expectProblem(
        await get(t, `/v1/audit?${query}`),
        400,
        'validation_failed',
      );
      expect(
        (problem.errors as Array<{ path: string }>).map((e) => e.path),
        query,
      ).toContain(path);
    }
  });
});
