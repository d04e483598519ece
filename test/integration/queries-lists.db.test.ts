/**
 * The read-side lists against a realistic projected book: every item equals the ledger's
 * own view of the resource (`toView`), paging with small limits visits every matching row
 * exactly once in the documented order, and filters select exactly what they say.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toView, type AggregateState } from '../../src/domain/index';
import { projectEvents } from '../../src/read/projection';
import { listAccounts } from '../../src/read/queries/accounts';
import { listInvoices, type InvoiceFilters } from '../../src/read/queries/invoices';
import {
  listJournalEntries,
  type JournalEntryFilters,
} from '../../src/read/queries/journal-entries';
import type { Page, PageRequest } from '../../src/read/queries/page';
import { listCustomers, listVendors } from '../../src/read/queries/parties';
import { listPayments, type PaymentFilters } from '../../src/read/queries/payments';
import type { TenantTx } from '../../src/read/tenant-tx';
import {
  CURSOR_SECRET,
  inTenant,
  openClients,
  projectBook,
  record,
  richLedger,
  statesOf,
} from '../fixtures/queries';
import { uniqueTenant } from '../fixtures/http';

const { client, db } = openClients();
afterAll(() => client.close());

const ledger = richLedger();
let tenant = '';
beforeAll(async () => {
  tenant = await projectBook(projectEvents, db, ledger, uniqueTenant('lists'));
}, 60_000);

type Lister<F, T> = (tx: TenantTx, params: PageRequest & { filters?: F }) => Promise<Page<T>>;

/** Every page of a list with `limit`, checking the page invariants on the way. */
async function all<F, T>(list: Lister<F, T>, filters: F | undefined, limit: number): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 500; pages += 1) {
    const page: Page<T> = await inTenant(db, tenant, (tx) =>
      list(tx, { tenantId: tenant, cursorSecret: CURSOR_SECRET, limit, cursor, filters }),
    );
    expect(page.data.length).toBeLessThanOrEqual(limit);
    expect(page.hasMore).toBe(page.nextCursor !== null);
    out.push(...page.data);
    if (!page.hasMore) return out;
    expect(page.data.length).toBe(limit);
    cursor = page.nextCursor;
  }
  throw new Error('too many pages');
}

const view = (s: AggregateState) =>
  JSON.parse(JSON.stringify(toView(s))) as Record<string, unknown>;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Newest first by date, then id descending: the order of the document lists. */
const newestFirst =
  <S extends { id: string }>(date: (s: S) => string) =>
  (a: S, b: S) =>
    cmp(date(b), date(a)) || cmp(b.id, a.id);

describe(`read-side lists (${env.TEST_DB_BACKEND})`, () => {
  it('pages invoices newest first; each item is the ledger view of that invoice', async () => {
    const expected = statesOf(ledger, 'invoice')
      .sort(newestFirst((s) => s.issueDate))
      .map(view);
    for (const limit of [1, 7, 100])
      expect(await all(listInvoices, undefined, limit)).toEqual(expected);
    expect(expected.length).toBe(60);
    expect(expected.some((i) => (i.payments as unknown[]).length === 2)).toBe(true); // split + later allocation
    // Without a limit a page holds 50, and the rest follow its cursor.
    const first = await inTenant(db, tenant, (tx) =>
      listInvoices(tx, { tenantId: tenant, cursorSecret: CURSOR_SECRET }),
    );
    expect(first.data).toEqual(expected.slice(0, 50));
    expect(first.hasMore).toBe(true);
    const rest = await inTenant(db, tenant, (tx) =>
      listInvoices(tx, { tenantId: tenant, cursorSecret: CURSOR_SECRET, cursor: first.nextCursor }),
    );
    expect([rest.data, rest.hasMore, rest.nextCursor]).toEqual([expected.slice(50), false, null]);
  });

  it('filters invoices by status (one or several), customer, dates and currency', async () => {
    const invoices = statesOf(ledger, 'invoice');
    const customerId = statesOf(ledger, 'customer')[0]?.id as string;
    const cases: [InvoiceFilters, (s: (typeof invoices)[number]) => boolean][] = [
      [{ status: 'paid' }, (s) => s.status === 'paid'],
      [
        { status: ['issued', 'partially_paid'] },
        (s) => s.status === 'issued' || s.status === 'partially_paid',
      ],
      [{ customerId }, (s) => s.customerId === customerId],
      [
        { customerId, status: ['paid', 'void', 'draft'] },
        (s) => s.customerId === customerId && ['paid', 'void', 'draft'].includes(s.status),
      ],
      [
        { issueDate: { from: '2024-03-01', to: '2024-06-30' } },
        (s) => s.issueDate >= '2024-03-01' && s.issueDate <= '2024-06-30',
      ],
      [{ dueDate: { from: '2024-09-01' } }, (s) => s.dueDate >= '2024-09-01'],
      [
        { currency: 'EUR', dueDate: { to: '2024-12-31' } },
        (s) => s.currency === 'EUR' && s.dueDate <= '2024-12-31',
      ],
    ];
    for (const [filters, keep] of cases) {
      const expected = invoices
        .filter(keep)
        .sort(newestFirst((s) => s.issueDate))
        .map(view);
      expect(expected.length, JSON.stringify(filters)).toBeGreaterThan(0);
      expect(await all(listInvoices, filters, 4), JSON.stringify(filters)).toEqual(expected);
    }
  });

  it('pages and filters payments (customer, date range, method) with their allocations', async () => {
    const payments = statesOf(ledger, 'payment');
    expect(await all(listPayments, undefined, 5)).toEqual(
      payments.sort(newestFirst((s) => s.date)).map(view),
    );
    const customerId = statesOf(ledger, 'customer')[0]?.id as string;
    const cases: [PaymentFilters, (s: (typeof payments)[number]) => boolean][] = [
      [{ customerId }, (s) => s.customerId === customerId],
      [
        { date: { from: '2024-06-01', to: '2024-09-30' } },
        (s) => s.date >= '2024-06-01' && s.date <= '2024-09-30',
      ],
      [{ method: 'check' }, (s) => s.method === 'check'],
    ];
    for (const [filters, keep] of cases) {
      const expected = payments
        .filter(keep)
        .sort(newestFirst((s) => s.date))
        .map(view);
      expect(expected.length).toBeGreaterThan(0);
      expect(await all(listPayments, filters, 3)).toEqual(expected);
    }
  });

  it('pages and filters journal entries (date range, account touched, source type) with their lines', async () => {
    const journals = statesOf(ledger, 'journal');
    expect(await all(listJournalEntries, undefined, 9)).toEqual(
      journals.sort(newestFirst((s) => s.date)).map(view),
    );
    const rent = ledger.account('6100');
    const cases: [JournalEntryFilters, (s: (typeof journals)[number]) => boolean][] = [
      [{ accountId: rent }, (s) => s.lines.some((l) => l.accountId === rent)],
      [
        { accountId: ledger.account('1100'), date: { from: '2024-04-01', to: '2024-08-31' } },
        (s) =>
          s.date >= '2024-04-01' &&
          s.date <= '2024-08-31' &&
          s.lines.some((l) => l.accountId === ledger.account('1100')),
      ],
      [{ sourceType: 'payment' }, (s) => s.source.type === 'payment'],
      [{ sourceType: 'reversal' }, (s) => s.source.type === 'reversal'],
    ];
    for (const [filters, keep] of cases) {
      const expected = journals
        .filter(keep)
        .sort(newestFirst((s) => s.date))
        .map(view);
      expect(expected.length).toBeGreaterThan(0);
      expect(await all(listJournalEntries, filters, 4)).toEqual(expected);
    }
  });

  it('lists accounts by code, filtered by type, active flag and parent (null: top level)', async () => {
    const accounts = statesOf(ledger, 'account').sort((a, b) => cmp(a.code, b.code));
    expect(await all(listAccounts, undefined, 6)).toEqual(accounts.map(view));
    const services = ledger.account('4100');
    expect(await all(listAccounts, { type: 'revenue' }, 2)).toEqual(
      accounts.filter((a) => a.type === 'revenue').map(view),
    );
    expect(await all(listAccounts, { parentId: services }, 2)).toEqual(
      accounts.filter((a) => a.parentId === services).map(view),
    );
    expect(await all(listAccounts, { parentId: null, active: true }, 50)).toEqual(
      accounts.filter((a) => a.parentId === null && a.active).map(view),
    );
  });

  it('lists customers and vendors by name ignoring case, with active and name-prefix filters', async () => {
    const byName = <S extends { name: string; id: string }>(a: S, b: S) =>
      cmp(a.name.toLowerCase(), b.name.toLowerCase()) || cmp(a.id, b.id);
    const customers = statesOf(ledger, 'customer').sort(byName);
    const listed = await all(listCustomers, undefined, 4);
    expect(listed).toEqual(customers.map(view));
    expect(listed.slice(0, 3).map((c) => c.name)).toEqual([
      'Alpha Industries',
      'alphabet soup',
      'beta gmbh',
    ]);
    expect(await all(listCustomers, { namePrefix: 'ALPHA' }, 1)).toEqual(
      customers.filter((c) => c.name.toLowerCase().startsWith('alpha')).map(view),
    );
    expect(await all(listCustomers, { namePrefix: 'öl' }, 10)).toEqual([
      view(customers.find((c) => c.name === 'Ölwerk AG') as AggregateState),
    ]);
    expect(await all(listCustomers, { namePrefix: '%' }, 10)).toEqual([]);
    expect(await all(listCustomers, { active: false }, 10)).toEqual(
      customers.filter((c) => !c.active).map(view),
    );
    expect(await all(listVendors, { namePrefix: 'o' }, 1)).toEqual(
      statesOf(ledger, 'vendor')
        .filter((v) => v.name.startsWith('O'))
        .sort(byName)
        .map(view),
    );
  });

  it("never shows another tenant's rows, even with the same ids", async () => {
    const other = uniqueTenant('other');
    await projectEvents(db, other, record(ledger, other));
    const mine = await all(listInvoices, undefined, 100);
    const theirs = await inTenant(db, other, (tx) =>
      listInvoices(tx, { tenantId: other, cursorSecret: CURSOR_SECRET, limit: 100 }),
    );
    expect(theirs.data).toEqual(mine);
    // The explicit tenant filter and row-level security agree: a mismatched tenant id sees nothing.
    const crossed = await inTenant(db, other, (tx) =>
      listInvoices(tx, { tenantId: tenant, cursorSecret: CURSOR_SECRET }),
    );
    expect(crossed.data).toEqual([]);
  });
});
