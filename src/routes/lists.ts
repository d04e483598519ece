/**
 * `GET /v1/{accounts,journal-entries,invoices,payments,customers,vendors}`: lists from the
 * Postgres read model behind the versioned cache, with filters, keyset pages and
 * `?expand=customer`. Items have the same shape as the single-resource reads.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { AppContext } from '../env';
import { csv, runRead } from '../http/list';
import { createRouter } from '../http/router';
import { permit } from '../middleware/authorize';
import { createLoaders, expandCustomers } from '../read/loaders';
import { listAccounts, prepareAccountList } from '../read/queries/accounts';
import type { InvoiceStatus } from '../domain/events';
import { listInvoices, prepareInvoiceList } from '../read/queries/invoices';
import { listJournalEntries, prepareJournalEntryList } from '../read/queries/journal-entries';
import { listCustomers, listVendors, preparePartyList } from '../read/queries/parties';
import { listPayments, preparePaymentList } from '../read/queries/payments';
import { Account } from '../schemas/accounts';
import { Invoice } from '../schemas/invoices';
import { JournalEntry } from '../schemas/journal-entries';
import { AccountListQuery, InvoiceListQuery, JournalListQuery, pageOf, PartyListQuery, PaymentListQuery } from '../schemas/lists';
import { Party } from '../schemas/parties';
import { Payment } from '../schemas/payments';
import { e503CachedRead, readErrors } from '../schemas/problem';
import { jsonResponse } from '../schemas/route-parts';

/** Dev/test only (see CURSOR_SECRET in src/env.ts); production refuses to start without one. */
const DEV_CURSOR_SECRET = 'finance-edge-development-cursor-secret';

/** The paging part of every list call. */
export function paging(c: AppContext, query: { limit?: string | undefined; cursor?: string | undefined }) {
  return {
    tenantId: c.get('principal').tenantId,
    cursorSecret: c.get('config').CURSOR_SECRET ?? DEV_CURSOR_SECRET,
    limit: query.limit === undefined ? undefined : Number(query.limit),
    cursor: query.cursor ?? null,
  };
}

const range = (from?: string, to?: string) => (from === undefined && to === undefined ? undefined : { from, to });
const flag = (v?: string) => (v === undefined ? undefined : v === 'true');

const listRoute = <Q extends z.ZodObject, S extends z.ZodType>(path: string, tag: string, noun: string, query: Q, item: S) =>
  createRoute({
    method: 'get', path, tags: [tag], summary: `List ${noun}`, operationId: `list${tag.replaceAll(' ', '')}`, ...permit('books:read'),
    description: 'Keyset pages: pass `nextCursor` as `cursor` (or follow `Link: rel="next"`). `X-Cache` says how it was served; send `X-Min-Position` to see your own writes.',
    request: { query },
    responses: { 200: jsonResponse(`A page of ${noun}`, pageOf(item, `${tag.replaceAll(' ', '')}Page`), 'plain'), ...readErrors, 503: e503CachedRead },
  });

const WithCustomer = <S extends z.ZodObject>(s: S) => s.extend({ customer: Party.nullable().optional() });

/**
 * The list routes, mounted at `/v1`. Each checks its filters, limit and cursor (`check`)
 * before the cache and Postgres, then lists with the same parameters.
 */
export const lists = createRouter()
  .openapi(listRoute('/accounts', 'Accounts', 'accounts', AccountListQuery, Account), (c) => {
    const q = c.req.valid('query');
    const parentId = q.parentId === 'none' ? null : q.parentId;
    const params = { ...paging(c, q), filters: { type: q.type as never, active: flag(q.active), ...(parentId !== undefined ? { parentId } : {}) } };
    return runRead(c, '/v1/accounts', (tx) => listAccounts(tx, params), { check: () => prepareAccountList(params) }) as never;
  })
  .openapi(listRoute('/journal-entries', 'Journal entries', 'journal entries', JournalListQuery, JournalEntry), (c) => {
    const q = c.req.valid('query');
    const params = { ...paging(c, q), filters: { date: range(q.dateFrom, q.dateTo), accountId: q.accountId, sourceType: q.sourceType as never } };
    return runRead(c, '/v1/journal-entries', (tx) => listJournalEntries(tx, params), { check: () => prepareJournalEntryList(params) }) as never;
  })
  .openapi(listRoute('/invoices', 'Invoices', 'invoices', InvoiceListQuery, WithCustomer(Invoice)), (c) => {
    const q = c.req.valid('query');
    const params = {
      ...paging(c, q),
      filters: { status: csv(q.status) as InvoiceStatus[] | undefined, customerId: q.customerId, currency: q.currency, issueDate: range(q.issueDateFrom, q.issueDateTo), dueDate: range(q.dueDateFrom, q.dueDateTo) },
    };
    return runRead(c, '/v1/invoices', async (tx) => {
      const page = await listInvoices(tx, params);
      return q.expand === 'customer' ? { ...page, data: await expandCustomers(page.data, createLoaders(tx, { batch: c.get('config').READ_BATCHING === 'on' })) } : page;
    }, { check: () => prepareInvoiceList(params) }) as never;
  })
  .openapi(listRoute('/payments', 'Payments', 'payments', PaymentListQuery, WithCustomer(Payment)), (c) => {
    const q = c.req.valid('query');
    const params = { ...paging(c, q), filters: { customerId: q.customerId, date: range(q.dateFrom, q.dateTo), method: q.method as never } };
    return runRead(c, '/v1/payments', async (tx) => {
      const page = await listPayments(tx, params);
      return q.expand === 'customer' ? { ...page, data: await expandCustomers(page.data, createLoaders(tx, { batch: c.get('config').READ_BATCHING === 'on' })) } : page;
    }, { check: () => preparePaymentList(params) }) as never;
  })
  .openapi(listRoute('/customers', 'Customers', 'customers', PartyListQuery, Party), (c) => {
    const q = c.req.valid('query');
    const params = { ...paging(c, q), filters: { active: flag(q.active), namePrefix: q.namePrefix } };
    return runRead(c, '/v1/customers', (tx) => listCustomers(tx, params), { check: () => preparePartyList('customers', params) }) as never;
  })
  .openapi(listRoute('/vendors', 'Vendors', 'vendors', PartyListQuery, Party), (c) => {
    const q = c.req.valid('query');
    const params = { ...paging(c, q), filters: { active: flag(q.active), namePrefix: q.namePrefix } };
    return runRead(c, '/v1/vendors', (tx) => listVendors(tx, params), { check: () => preparePartyList('vendors', params) }) as never;
  });
