/** `/v1/settings` (lock date, default accounts) and `/v1/events` (the tenant's feed). */
import { describe, expect, it } from 'vitest';
import { eventsAfter, openBooks } from '../fixtures/books';
import { expectJson, expectProblem, get, patch, post, token, uniqueTenant } from '../fixtures/http';

describe('settings', () => {
  it('GET answers the lock date and default accounts with an ETag; PATCH changes them', async () => {
    const { t, accounts } = await openBooks();
    const read = await get(t, '/v1/settings');
    expect(await expectJson(read, 200)).toEqual({ lockDate: null, accounts });
    const etag = read.headers.get('ETag') ?? '';
    const other = await expectJson(
      await post(t, '/v1/accounts', { code: '4500', name: 'Other sales', type: 'revenue' }),
      201,
    );
    const res = await patch(
      t,
      '/v1/settings',
      { lockDate: '2024-12-31', accounts: { revenue: other.id } },
      etag,
    );
    expect(await expectJson(res, 200)).toEqual({
      lockDate: '2024-12-31',
      accounts: { ...accounts, revenue: other.id },
    });
    await expectProblem(
      await patch(t, '/v1/settings', { lockDate: null }, etag),
      412,
      'version_mismatch',
    );
    expect(await expectJson(await patch(t, '/v1/settings', { lockDate: null }), 200)).toMatchObject(
      { lockDate: null },
    );
  });

  it('refuses accounts of the wrong type (422) and bad bodies (400)', async () => {
    const { t, accounts } = await openBooks();
    const wrong = await expectProblem(
      await patch(t, '/v1/settings', { accounts: { cash: accounts.revenue } }),
      422,
      'account_type_mismatch',
    );
    expect(wrong.errors).toEqual([
      { path: 'accounts.cash', message: 'must be an account of type asset' },
    ]);
    const unknownKey = await expectProblem(
      await patch(t, '/v1/settings', { accounts: { bank: accounts.cash } }),
      400,
      'validation_failed',
    );
    expect(unknownKey.errors).toEqual([{ path: 'accounts.bank', message: 'is not a known field' }]);
    await expectProblem(
      await patch(t, '/v1/settings', { lockDate: '2024-02-30' }),
      400,
      'validation_failed',
    );
    await expectProblem(await patch(t, '/v1/settings', {}), 400, 'validation_failed');
  });
});

describe('events', () => {
  it('pages through the feed in position order with nextAfter / hasMore and X-Ledger-Position', async () => {
    const { t } = await openBooks();
    const all = await eventsAfter(t);
    expect(all.length).toBeGreaterThan(3);
    expect(all.map((e) => e.position)).toEqual(all.map((_, i) => i + 1));
    expect(all.at(-1)).toMatchObject({
      type: 'customer.created',
      streamId: expect.stringMatching(/^customer:cus_/),
      version: 1,
      actor: 'user-1',
    });
    const first = await get(t, '/v1/events?limit=2');
    const page = (await expectJson(first, 200)) as unknown as {
      data: Array<{ position: number }>;
      nextAfter: number;
      hasMore: boolean;
    };
    expect(page.data.map((e) => e.position)).toEqual([1, 2]);
    expect(page).toMatchObject({ nextAfter: 2, hasMore: true });
    expect(first.headers.get('X-Ledger-Position')).toBe(String(all.length));
    const last = (await expectJson(
      await get(t, `/v1/events?after=${all.length - 1}`),
      200,
    )) as unknown as typeof page;
    expect(last).toMatchObject({ nextAfter: all.length, hasMore: false });
    const none = (await expectJson(
      await get(t, `/v1/events?after=${all.length + 10}`),
      200,
    )) as unknown as typeof page;
    expect(none).toEqual({ data: [], nextAfter: all.length + 10, hasMore: false });
  });

  it('an empty ledger answers an empty page; bad after/limit are 400', async () => {
    const t = await token({ tenant: uniqueTenant() });
    const empty = await get(t, '/v1/events');
    expect(await expectJson(empty, 200)).toEqual({ data: [], nextAfter: 0, hasMore: false });
    expect(empty.headers.get('X-Ledger-Position')).toBe('0');
    for (const q of [
      'after=-1',
      'after=abc',
      'limit=0',
      'limit=501',
      'limit=1.5',
      'after=1e3',
      'after=0&colour=red',
    ]) {
      await expectProblem(await get(t, `/v1/events?${q}`), 400, 'validation_failed');
    }
    await expectJson(await get(t, '/v1/events?limit=500'), 200);
  });

  it('a fresh tenant has no settings yet: 404 settings_not_found', async () => {
    const t = await token({ tenant: uniqueTenant() });
    await expectProblem(await get(t, '/v1/settings'), 404, 'settings_not_found');
  });
});
