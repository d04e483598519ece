/**
 * AR aging in pages of customers: the pages, put together, are the whole report on every date
 * (past ones too), each page carries every currency's totals over all customers, and a
 * cursor only continues the report it came from (same tenant, same date).
 */
import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectEvents } from '../../src/read/projection';
import { arAging, type ArAging } from '../../src/read/queries/ar-aging';
import { InvalidCursorError } from '../../src/read/queries/errors';
import { CURSOR_SECRET, inTenant, openClients, projectBook, richLedger } from '../fixtures/queries';
import { uniqueTenant } from '../fixtures/http';

const { client, db } = openClients();
afterAll(() => client.close());

const ledger = richLedger();
let tenant = '';
let other = '';
beforeAll(async () => {
  tenant = await projectBook(projectEvents, db, ledger, uniqueTenant('aging-pages'));
  other = await projectBook(projectEvents, db, ledger, uniqueTenant('aging-pages-other'));
}, 60_000);

const DATES = ['2024-01-01', '2024-02-15', '2024-06-30', '2024-12-31', '2025-03-31'];

const report = (t: string, asOf: string, limit?: number, cursor?: string | null) =>
  inTenant(db, t, (tx) =>
    arAging(tx, {
      tenantId: t,
      asOf,
      page: limit === undefined ? undefined : { cursorSecret: CURSOR_SECRET, limit, cursor },
    }),
  );

/** Every page of the report, following `nextCursor` to the end. */
async function allPages(t: string, asOf: string, limit: number): Promise<ArAging[]> {
  const pages: ArAging[] = [];
  let cursor: string | null = null;
  do {
    const page = await report(t, asOf, limit, cursor);
    pages.push(page);
    expect(page.hasMore, asOf).toBe(page.nextCursor !== null);
    cursor = page.nextCursor;
    expect(pages.length, `${asOf}: pages never end`).toBeLessThan(100);
  } while (cursor !== null);
  return pages;
}

describe(`AR aging pages (${env.TEST_DB_BACKEND})`, () => {
  it('put together, the pages are the whole report on every date; every page has the full totals', async () => {
    let paged = 0;
    for (const asOf of DATES) {
      const whole = await report(tenant, asOf);
      expect(whole).toMatchObject({ nextCursor: null, hasMore: false });
      const customers = whole.currencies.reduce((n, c) => n + c.customers.length, 0);
      for (const limit of [1, 2, 3]) {
        const pages = await allPages(tenant, asOf, limit);
        if (customers > limit) paged++;
        for (const page of pages) {
          expect(page.asOf).toBe(asOf);
          expect(
            page.currencies.map((c) => [c.currency, c.totals]),
            `${asOf} /${limit}`,
          ).toEqual(whole.currencies.map((c) => [c.currency, c.totals]));
          const onPage = new Set(
            page.currencies.flatMap((c) => c.customers.map((r) => r.customerId)),
          );
          expect(onPage.size, `${asOf} /${limit}`).toBeLessThanOrEqual(limit);
        }
        for (const section of whole.currencies) {
          const joined = pages.flatMap(
            (p) => p.currencies.find((c) => c.currency === section.currency)?.customers ?? [],
          );
          expect(joined, `${asOf} ${section.currency} /${limit}`).toEqual(section.customers);
        }
      }
    }
    // The book has more owing customers than a page holds on some dates, so pages were walked.
    expect(paged).toBeGreaterThan(0);
  });

  it('allocations an older release wrote without their invoice columns age the same (looked up)', async () => {
    // The other tenant holds the same book: strip the columns (migration 0009) from every
    // allocation, as a release before 0009 writes them during a split rollout, so every
    // payment after a date comes through the lookup.
    const before = await Promise.all(DATES.map((asOf) => report(other, asOf)));
    const stripped = await inTenant(db, other, (tx) =>
      tx.execute(sql`update payment_allocations
        set customer_id = null, currency = null, due_date = null, invoice_issue_date = null
        where tenant_id = ${other} returning date, invoice_issue_date`),
    );
    // Some of them count on one of the dates: paid after it, on an invoice issued by then.
    const late = await inTenant(db, other, (tx) =>
      tx.execute(sql`select count(*)::int as n from payment_allocations a
        join invoices i on i.tenant_id = a.tenant_id and i.id = a.invoice_id
        where a.tenant_id = ${other} and a.invoice_issue_date is null
          and exists (select 1 from unnest(${`{${DATES.join(',')}}`}::date[]) d
            where a.date > d and i.issue_date <= d)`),
    );
    expect(stripped.rows.length).toBeGreaterThan(0);
    expect((late.rows[0] as { n: number }).n).toBeGreaterThan(0);
    expect(await Promise.all(DATES.map((asOf) => report(other, asOf)))).toEqual(before);
    const ours = await Promise.all(DATES.map((asOf) => report(tenant, asOf)));
    expect(before.map((r) => r.currencies)).toEqual(ours.map((r) => r.currencies));
  });

  it('a cursor continues only its own report: not another date, not another tenant', async () => {
    const asOf = '2024-12-31';
    const first = await report(tenant, asOf, 1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const cursor = first.nextCursor ?? '';
    expect((await report(tenant, asOf, 1, cursor)).asOf).toBe(asOf);
    await expect(report(tenant, '2024-06-30', 1, cursor)).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    await expect(report(other, asOf, 1, cursor)).rejects.toBeInstanceOf(InvalidCursorError);
    // The other tenant, holding the same book, pages through its own customers and totals.
    const theirs = await allPages(other, asOf, 2);
    const ours = await allPages(tenant, asOf, 2);
    expect(theirs.map((p) => p.currencies)).toEqual(ours.map((p) => p.currencies));
  });
});
