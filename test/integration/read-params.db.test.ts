/**
 * Bad query parameters on every list, report and search: 400 problem+json, never a 5xx or a
 * partial answer. Limits out of range, malformed and impossible dates, ranges that end before
 * they start, unknown filter values and parameters, and cursors that are forged, tampered
 * with, or issued for another list, other filters or another tenant. (With Postgres down or
 * every build slot taken the same requests are still 400s: read-side.db.test.ts.)
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { books } from '../fixtures/read-side';
import { get, problemOf, uniqueTenant } from '../fixtures/http';

const LISTS = [
  '/v1/accounts',
  '/v1/journal-entries',
  '/v1/invoices',
  '/v1/payments',
  '/v1/customers',
  '/v1/vendors',
];
const REPORTS = [
  '/v1/reports/trial-balance',
  '/v1/reports/ar-aging',
  '/v1/reports/dashboard',
  '/v1/reports/account-balances',
];
const BAD_LIMITS = ['0', '101', '1000', '-1', '1.5', 'abc', '', '00050'];
const BAD_DATES = ['2026-02-30', '2026-13-01', '2026-00-10', 'yesterday', '2026-1-01', '20260101'];

/** Each list's date parameters, as from/to pairs. */
const DATE_PAIRS: Record<string, [string, string][]> = {
  '/v1/journal-entries': [['dateFrom', 'dateTo']],
  '/v1/invoices': [
    ['issueDateFrom', 'issueDateTo'],
    ['dueDateFrom', 'dueDateTo'],
  ],
  '/v1/payments': [['dateFrom', 'dateTo']],
};

const UNKNOWN_VALUES = [
  '/v1/accounts?type=income',
  '/v1/accounts?active=yes',
  '/v1/accounts?parentId=%20x',
  '/v1/journal-entries?sourceType=bogus',
  '/v1/journal-entries?accountId=',
  '/v1/invoices?status=paid,unknown',
  '/v1/invoices?status=',
  '/v1/invoices?currency=usd',
  '/v1/invoices?expand=vendor',
  '/v1/invoices?expand=customer,vendor',
  '/v1/payments?method=barter',
  '/v1/payments?expand=invoice',
  '/v1/customers?active=1',
  '/v1/vendors?namePrefix=',
  '/v1/search?q=',
  `/v1/search?q=${'x'.repeat(201)}`,
  '/v1/search?q=acme&limit=0',
  '/v1/search?q=acme&limit=51',
  '/v1/search?q=acme&types=account',
  '/v1/search',
  ...LISTS.map((l) => `${l}?colour=red`),
  ...REPORTS.map((r) => `${r}?colour=red`),
];

async function expect400(t: string, path: string, code?: string): Promise<void> {
  const res = await get(t, path);
  expect(res.status, path).toBe(400);
  const body = await problemOf(res);
  expect(body.status, path).toBe(400);
  if (code) expect(body.code, path).toBe(code);
  expect(JSON.stringify(body), path).not.toMatch(/select |stack|at .*\.ts/i);
}

describe(`read parameters (${env.TEST_DB_BACKEND})`, () => {
  it('every list refuses a limit outside 1..100 and an unknown parameter', async () => {
    const b = await books(uniqueTenant());
    for (const list of LISTS) {
      for (const limit of BAD_LIMITS)
        await expect400(b.t, `${list}?limit=${limit}`, 'validation_failed');
      const edge = await get(b.t, `${list}?limit=100`, { minPosition: b.position });
      expect(edge.status, list).toBe(200);
      const one = await get(b.t, `${list}?limit=1`, { minPosition: b.position });
      expect(one.status, list).toBe(200);
    }
  });

  it('every date parameter refuses malformed and impossible dates, and ranges that end before they start', async () => {
    const b = await books(uniqueTenant());
    for (const [list, pairs] of Object.entries(DATE_PAIRS)) {
      for (const [from, to] of pairs) {
        for (const d of BAD_DATES) {
          await expect400(b.t, `${list}?${from}=${d}`, 'validation_failed');
          await expect400(b.t, `${list}?${to}=${d}`, 'validation_failed');
        }
        await expect400(b.t, `${list}?${from}=2026-03-02&${to}=2026-03-01`, 'validation_failed');
        expect(
          (
            await get(b.t, `${list}?${from}=2026-02-28&${to}=2026-02-28`, {
              minPosition: b.position,
            })
          ).status,
          list,
        ).toBe(200);
      }
    }
    for (const report of REPORTS) {
      for (const d of BAD_DATES) await expect400(b.t, `${report}?asOf=${d}`, 'validation_failed');
    }
    // The dashboard's period: both ends checked, and its default start is computed from a valid `to` only.
    for (const d of BAD_DATES) {
      await expect400(b.t, `/v1/reports/dashboard?from=${d}`, 'validation_failed');
      await expect400(b.t, `/v1/reports/dashboard?to=${d}`, 'validation_failed');
    }
    await expect400(
      b.t,
      '/v1/reports/dashboard?from=2026-03-02&to=2026-03-01',
      'validation_failed',
    );
    // A period put out of order by a default: `to` defaults to asOf (or today).
    await expect400(b.t, '/v1/reports/dashboard?asOf=2026-01-31&from=2026-02-01', 'invalid_query');
    await expect400(b.t, '/v1/reports/dashboard?from=2099-01-01', 'invalid_query');
    // An invalid date is one issue, not also an "after" issue against the other end.
    const one = await problemOf(
      await get(b.t, '/v1/journal-entries?dateFrom=2026-13-01&dateTo=2026-01-01'),
    );
    expect(one.errors).toEqual([
      { path: 'dateFrom', message: 'must be a valid date (YYYY-MM-DD)' },
    ]);
    expect(
      (await get(b.t, '/v1/reports/trial-balance?asOf=0050-01-01', { minPosition: b.position }))
        .status,
    ).toBe(200);
    expect(
      (
        await get(b.t, '/v1/reports/dashboard?asOf=2024-02-29&from=2024-02-29&to=2024-02-29', {
          minPosition: b.position,
        })
      ).status,
    ).toBe(200);
  });

  it('refuses unknown filter values, expansions and parameters on lists, reports and search', async () => {
    const b = await books(uniqueTenant());
    for (const path of UNKNOWN_VALUES) await expect400(b.t, path);
  });

  it('every list refuses a forged cursor, a tampered one, and one issued for another list, other filters or another tenant', async () => {
    const b = await books(uniqueTenant());
    const other = await books(uniqueTenant());
    const page = await get(b.t, '/v1/accounts?limit=2', { minPosition: b.position });
    const { nextCursor } = (await page.json()) as { nextCursor: string };
    expect(nextCursor).toEqual(expect.any(String));
    const [body = '', signature = ''] = nextCursor.split('.');
    const flipped = `${body}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const list of LISTS) {
      for (const cursor of [
        'not-a-cursor',
        'a.b',
        `${body}.`,
        flipped,
        `${body}x.${signature}`,
        'é.é',
      ]) {
        await expect400(
          b.t,
          `${list}?limit=2&cursor=${encodeURIComponent(cursor)}`,
          'invalid_cursor',
        );
      }
      if (list !== '/v1/accounts')
        await expect400(b.t, `${list}?limit=2&cursor=${nextCursor}`, 'invalid_cursor');
    }
    // The genuine cursor continues its own list; with other filters, or for another tenant, it is refused.
    expect(
      (await get(b.t, `/v1/accounts?limit=2&cursor=${nextCursor}`, { minPosition: b.position }))
        .status,
    ).toBe(200);
    await expect400(b.t, `/v1/accounts?limit=2&type=asset&cursor=${nextCursor}`, 'invalid_cursor');
    await expect400(other.t, `/v1/accounts?limit=2&cursor=${nextCursor}`, 'invalid_cursor');
    await expect400(b.t, `/v1/accounts?limit=2&cursor=${'x'.repeat(1025)}`, 'validation_failed');
  });

  it('AR aging pages: a limit outside 1..100 and a cursor that is not its own are refused', async () => {
    const b = await books(uniqueTenant());
    const aging = '/v1/reports/ar-aging?asOf=2026-12-31';
    for (const limit of BAD_LIMITS)
      await expect400(b.t, `${aging}&limit=${limit}`, 'validation_failed');
    const list = await get(b.t, '/v1/accounts?limit=2', { minPosition: b.position });
    const { nextCursor } = (await list.json()) as { nextCursor: string };
    for (const cursor of ['not-a-cursor', 'a.b', nextCursor])
      await expect400(
        b.t,
        `${aging}&limit=1&cursor=${encodeURIComponent(cursor)}`,
        'invalid_cursor',
      );
    await expect400(b.t, `${aging}&cursor=${'x'.repeat(1025)}`, 'validation_failed');
    // The one owing customer fits a page of 1: no next page, and the totals are all there.
    const page = await get(b.t, `${aging}&limit=1`, { minPosition: b.position });
    expect(page.status).toBe(200);
    const body = (await page.json()) as {
      currencies: { customers: unknown[]; totals: { total: number } }[];
      nextCursor: string | null;
      hasMore: boolean;
    };
    expect(body).toMatchObject({ nextCursor: null, hasMore: false });
    expect(body.currencies.map((c) => [c.customers.length, c.totals.total])).toEqual([
      [1, 119_000],
    ]);
  });
});
