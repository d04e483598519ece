/**
 * Paging parameters the read side must refuse: forged, foreign or mismatched cursors
 * (`InvalidCursorError`), limits outside 1..100 and malformed or unknown filter values
 * (`InvalidQueryError`), and batched master-data loads counted statement by statement.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toView } from '../../src/domain/index';
import { createLoaders, expandCustomers } from '../../src/read/loaders';
import { projectEvents } from '../../src/read/projection';
import { listAccounts } from '../../src/read/queries/accounts';
import { InvalidCursorError, InvalidQueryError } from '../../src/read/queries/errors';
import { listInvoices } from '../../src/read/queries/invoices';
import { listJournalEntries } from '../../src/read/queries/journal-entries';
import { listCustomers } from '../../src/read/queries/parties';
import { listPayments } from '../../src/read/queries/payments';
import { Ledger } from '../fixtures/domain/harness';
import { CURSOR_SECRET, inTenant, openClients, projectBook, record } from '../fixtures/queries';
import { uniqueTenant } from '../fixtures/http';

const { client, db, logged, log } = openClients();
afterAll(() => client.close());

/** 30 customers, 120 issued invoices (one line each), one payment. */
function bigLedger(): Ledger {
  const l = new Ledger('2024-12-31T12:00:00.000Z');
  const customers = Array.from(
    { length: 30 },
    (_, i) => l.ok({ type: 'customer.create', data: { name: `Client ${i}` } }, 'customer').id,
  );
  for (let i = 0; i < 120; i += 1) {
    const id = l.ok(
      {
        type: 'invoice.create',
        data: {
          customerId: customers[i % 30] as string,
          currency: 'USD',
          issueDate: '2024-06-01',
          dueDate: '2024-07-01',
          lines: [{ description: `Item ${i}`, quantityMilli: 1000, unitAmount: 100 + i }],
        },
      },
      'invoice',
    ).id;
    l.ok({ type: 'invoice.issue', data: { id } });
  }
  return l;
}

const ledger = bigLedger();
let tenant = '';
beforeAll(async () => {
  tenant = await projectBook(projectEvents, db, ledger, uniqueTenant('cursor'));
}, 60_000);

const page = (
  cursor: string | null,
  filters: Parameters<typeof listInvoices>[1]['filters'] = undefined,
  t = tenant,
  secret = CURSOR_SECRET,
) =>
  inTenant(db, t, (tx) =>
    listInvoices(tx, { tenantId: t, cursorSecret: secret, limit: 10, cursor, filters }),
  );

describe(`cursors and parameters (${env.TEST_DB_BACKEND})`, () => {
  it('continues with a genuine cursor, also when the same filters are written in another order', async () => {
    const first = await page(null, { status: ['paid', 'issued'], dueDate: { to: '2024-12-31' } });
    expect(first.hasMore).toBe(true);
    const next = await page(first.nextCursor, {
      dueDate: { to: '2024-12-31', from: undefined },
      status: ['issued', 'paid'],
    });
    expect(next.data[0]?.id).not.toBe(first.data[0]?.id);
  });

  it('refuses tampered, re-signed, foreign, mismatched and malformed cursors', async () => {
    const { nextCursor } = await page(null);
    const cursor = nextCursor as string;
    const [body = '', sig = ''] = cursor.split('.');
    const payload = JSON.parse(atob(body.replaceAll('-', '+').replaceAll('_', '/'))) as {
      k: string[];
    };
    payload.k[1] = 'inv_zzzz';
    const forgedBody = btoa(JSON.stringify(payload))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '');
    const other = uniqueTenant('other');
    await projectEvents(db, other, record(ledger, other));
    const otherCursor = (await page(null, undefined, other)).nextCursor as string;
    const attempts: [string, () => Promise<unknown>, RegExp][] = [
      ['edited sort key', () => page(`${forgedBody}.${sig}`), /signature/],
      [
        'flipped signature',
        () => page(`${body}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`),
        /signature/,
      ],
      [
        'another secret',
        () => page(cursor, undefined, tenant, 'another-secret-of-some-length'),
        /signature/,
      ],
      ['another tenant', () => page(otherCursor), /another tenant/],
      ['other filters', () => page(cursor, { status: 'issued' }), /different filters/],
      [
        'another list',
        () =>
          inTenant(db, tenant, (tx) =>
            listPayments(tx, { tenantId: tenant, cursorSecret: CURSOR_SECRET, cursor }),
          ),
        /another list/,
      ],
      ['garbage', () => page('not a cursor'), /malformed/],
      ['three parts', () => page(`${body}.${sig}.x`), /malformed/],
      ['impossible base64', () => page(`${body}.x`), /malformed/],
      ['huge', () => page('A'.repeat(5000)), /malformed/],
    ];
    for (const [what, attempt, message] of attempts) {
      const error = await attempt().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, what).toBeInstanceOf(InvalidCursorError);
      expect((error as InvalidCursorError).code, what).toBe('invalid_cursor');
      expect((error as Error).message, what).toMatch(message);
    }
  });

  it('refuses limits outside 1..100 and malformed or unknown filter values', async () => {
    const p = { tenantId: tenant, cursorSecret: CURSOR_SECRET };
    const bad: [string, () => Promise<unknown>][] = [
      ['limit', () => inTenant(db, tenant, (tx) => listInvoices(tx, { ...p, limit: 0 }))],
      ['limit', () => inTenant(db, tenant, (tx) => listInvoices(tx, { ...p, limit: 101 }))],
      ['limit', () => inTenant(db, tenant, (tx) => listAccounts(tx, { ...p, limit: 2.5 }))],
      [
        'filters.status',
        () =>
          inTenant(db, tenant, (tx) =>
            listInvoices(tx, { ...p, filters: { status: ['paid', 'open' as 'paid'] } }),
          ),
      ],
      [
        'filters.issueDate.from',
        () =>
          inTenant(db, tenant, (tx) =>
            listInvoices(tx, { ...p, filters: { issueDate: { from: '2024-02-30' } } }),
          ),
      ],
      [
        'filters.dueDate.to',
        () =>
          inTenant(db, tenant, (tx) =>
            listInvoices(tx, { ...p, filters: { dueDate: { to: '2024-1-01' } } }),
          ),
      ],
      [
        'filters.issueDate',
        () =>
          inTenant(db, tenant, (tx) =>
            listInvoices(tx, {
              ...p,
              filters: { issueDate: { from: '2024-05-02', to: '2024-05-01' } },
            }),
          ),
      ],
      [
        'filters.currency',
        () =>
          inTenant(db, tenant, (tx) => listInvoices(tx, { ...p, filters: { currency: 'usd' } })),
      ],
      [
        'filters.method',
        () =>
          inTenant(db, tenant, (tx) =>
            listPayments(tx, { ...p, filters: { method: 'wire' as 'cash' } }),
          ),
      ],
      [
        'filters.sourceType',
        () =>
          inTenant(db, tenant, (tx) =>
            listJournalEntries(tx, { ...p, filters: { sourceType: 'bill' as 'manual' } }),
          ),
      ],
      [
        'filters.type',
        () =>
          inTenant(db, tenant, (tx) =>
            listAccounts(tx, { ...p, filters: { type: 'income' as 'revenue' } }),
          ),
      ],
      [
        'filters.namePrefix',
        () =>
          inTenant(db, tenant, (tx) => listCustomers(tx, { ...p, filters: { namePrefix: '   ' } })),
      ],
    ];
    for (const [path, attempt] of bad) {
      const error = await attempt().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, path).toBeInstanceOf(InvalidQueryError);
      expect((error as InvalidQueryError).path).toBe(path);
    }
  });
});

describe(`batched master data (${env.TEST_DB_BACKEND})`, () => {
  const tableOf = (q: string) => /^select .*? from "?(\w+)"?/is.exec(q)?.[1];

  it('a page of 100 invoices with customers expanded: one query for the invoices (lines and payments included), one for the customers', async () => {
    log.length = 0;
    const page = await inTenant(logged, tenant, async (tx) => {
      const loaders = createLoaders(tx);
      const invoices = await listInvoices(tx, {
        tenantId: tenant,
        cursorSecret: CURSOR_SECRET,
        limit: 100,
      });
      return { ...invoices, data: await expandCustomers(invoices.data, loaders) };
    });
    expect(page.data).toHaveLength(100);
    const reads = log.filter(
      (e) => /^\s*(select|with)\b/i.test(e.sql) && !/set_config/.test(e.sql),
    );
    expect(reads).toHaveLength(2);
    // The outer FROM of the first statement is the invoices; lines and payments are subqueries in its select list.
    expect(reads[0]?.sql).toMatch(/\) from "invoices" where /);
    expect(reads[0]?.sql).toMatch(/from "invoice_lines" where/);
    expect(reads[0]?.sql).toMatch(/from "payment_allocations" where/);
    expect(tableOf(reads[1]?.sql ?? '')).toBe('customers');
    expect(reads[1]?.sql).toMatch(/= any\(\$1::text\[\]\)/);
    expect(page.data.some((i) => i.lines.length > 0)).toBe(true);
    for (const item of page.data)
      expect(item.customer).toEqual(toView(ledger.get(`customer:${item.customerId}`, 'customer')));
    expect(new Set(page.data.map((i) => i.customerId)).size).toBe(30);
  });

  it('coalesces loads of one tick into one query, caches per request and answers null for unknown or foreign ids', async () => {
    const other = uniqueTenant('other');
    await projectEvents(db, other, record(bigLedger(), other));
    log.length = 0;
    const [a, b, missing] = await inTenant(logged, tenant, async (tx) => {
      const { customers } = createLoaders(tx);
      const found = await Promise.all([
        customers.load('cus_0001'),
        customers.load('cus_0002'),
        customers.load('cus_9999'),
      ]);
      await customers.load('cus_0001'); // cached: no second query
      return found;
    });
    expect([a?.name, b?.name, missing]).toEqual(['Client 0', 'Client 1', null]);
    expect(log.filter((e) => tableOf(e.sql) === 'customers')).toHaveLength(1);
    // A tenant with no customers sees none of the other tenant's rows through its loader.
    const empty = uniqueTenant('empty');
    expect(
      await inTenant(db, empty, (tx) => createLoaders(tx).customers.load('cus_0001')),
    ).toBeNull();
  });
});
