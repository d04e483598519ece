/**
 * Query parameters of the lists, search and reports. Strict: an unknown parameter is a 400,
 * never silently ignored. Every value is checked here, before the cache or Postgres is
 * touched, so a bad request is a 400 even while Postgres is down (only a list's cursor is
 * checked later, in the route, against its signature). Values are strings on the wire; the
 * query layer re-validates (dates, ids, enums) so nothing malformed can reach SQL.
 */
import { z } from '@hono/zod-openapi';
import { isIsoDate } from '../domain/dates';
import { ID_PATTERN } from './common';

const q = (name: string, schema: z.ZodString, description: string) =>
  schema.optional().openapi({ param: { name, in: 'query' }, description });

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a valid date (YYYY-MM-DD)')
  .refine(isIsoDate, 'must be a valid date (YYYY-MM-DD)')
  .openapi({ format: 'date', example: '2026-03-31' });
const id = z.string().regex(ID_PATTERN, 'must be a resource id');
const bool = z.string().regex(/^(true|false)$/, 'must be true or false');
/** 1..100 and 1..50 as decimal strings (query values are strings), exact in the OpenAPI pattern too. */
const limit = z.string().regex(/^(?:[1-9]\d?|100)$/, 'must be an integer from 1 to 100');
const searchLimit = z.string().regex(/^(?:[1-9]|[1-4]\d|50)$/, 'must be an integer from 1 to 50');

/**
 * `from` must not be after `to`. Checked only when both are real dates (an invalid one already
 * has its own issue); `YYYY-MM-DD` dates compare as strings.
 */
const ordered =
  <T extends Record<string, string | undefined>>(from: keyof T & string, to: keyof T & string) =>
  (v: T, ctx: z.RefinementCtx) => {
    const a = v[from];
    const b = v[to];
    if (isIsoDate(a) && isIsoDate(b) && a > b)
      ctx.addIssue({ code: 'custom', path: [from], message: `${from} is after ${to}` });
  };

/** Paging of every list: `limit` 1..100 (default 50) and the opaque `cursor` of the previous page. */
const paging = {
  limit: q('limit', limit, '1..100 (default 50)'),
  cursor: q('cursor', z.string().max(1024), 'The `nextCursor` of the previous page'),
};

export const AccountListQuery = z.strictObject({
  ...paging,
  type: q(
    'type',
    z.string().regex(/^(asset|liability|equity|revenue|expense)$/, 'unknown account type'),
    'Account type',
  ),
  active: q('active', bool, 'Only active (true) or inactive (false) accounts'),
  parentId: q(
    'parentId',
    z.string().regex(new RegExp(`${ID_PATTERN.source}|^none$`), 'must be an account id or none'),
    'Children of this account (`none`: top level)',
  ),
});

export const JournalListQuery = z
  .strictObject({
    ...paging,
    dateFrom: q('dateFrom', date, 'Entries dated on or after'),
    dateTo: q('dateTo', date, 'Entries dated on or before'),
    accountId: q('accountId', id, 'Entries with a line on this account'),
    sourceType: q(
      'sourceType',
      z.string().regex(/^(manual|invoice|invoice_void|payment|reversal)$/, 'unknown source type'),
      'What posted the entry',
    ),
  })
  .superRefine(ordered('dateFrom', 'dateTo'));

const expandCustomer = q(
  'expand',
  z.string().regex(/^customer$/, 'can only be customer'),
  'Embed the customer record',
);

export const InvoiceListQuery = z
  .strictObject({
    ...paging,
    status: q(
      'status',
      z
        .string()
        .regex(
          /^(draft|issued|partially_paid|paid|void)(,(draft|issued|partially_paid|paid|void))*$/,
          'unknown status',
        ),
      'One or more statuses, comma-separated',
    ),
    customerId: q('customerId', id, 'Invoices of this customer'),
    currency: q(
      'currency',
      z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
      'Invoice currency',
    ),
    issueDateFrom: q('issueDateFrom', date, 'Issued on or after'),
    issueDateTo: q('issueDateTo', date, 'Issued on or before'),
    dueDateFrom: q('dueDateFrom', date, 'Due on or after'),
    dueDateTo: q('dueDateTo', date, 'Due on or before'),
    expand: expandCustomer,
  })
  .superRefine(ordered('issueDateFrom', 'issueDateTo'))
  .superRefine(ordered('dueDateFrom', 'dueDateTo'));

export const PaymentListQuery = z
  .strictObject({
    ...paging,
    customerId: q('customerId', id, 'Payments of this customer'),
    dateFrom: q('dateFrom', date, 'Dated on or after'),
    dateTo: q('dateTo', date, 'Dated on or before'),
    method: q(
      'method',
      z.string().regex(/^(cash|bank_transfer|card|check|other)$/, 'unknown method'),
      'Payment method',
    ),
    expand: expandCustomer,
  })
  .superRefine(ordered('dateFrom', 'dateTo'));

export const PartyListQuery = z.strictObject({
  ...paging,
  active: q('active', bool, 'Only active (true) or inactive (false) records'),
  namePrefix: q(
    'namePrefix',
    z.string().min(1).max(100),
    'Names starting with this text (any case)',
  ),
});

export const SearchQuery = z.strictObject({
  q: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'q', in: 'query' }, description: 'Search text' }),
  types: q(
    'types',
    z.string().regex(/^(customer|vendor|invoice)(,(customer|vendor|invoice))*$/, 'unknown type'),
    'customer, vendor, invoice (comma-separated; default all)',
  ),
  limit: q('limit', searchLimit, '1..50 (default 20)'),
});

export const AsOfQuery = z.strictObject({
  asOf: q('asOf', date, 'Report date (default today, UTC)'),
});

/** AR aging: a date, and optionally pages of customers (each page carries every currency's totals). */
export const ArAgingQuery = AsOfQuery.extend({
  limit: q(
    'limit',
    limit,
    'Customers per page, 1..100 (default: every customer in one answer, or 50 once `cursor` is given); the totals are always over every customer',
  ),
  cursor: paging.cursor,
});

export const DashboardQuery = z
  .strictObject({
    asOf: q('asOf', date, 'Overdue is measured against this day (default today, UTC)'),
    from: q(
      'from',
      date,
      'Start of the received-payments period (default: 30 days before `to`); must be on or before `to` (else 400 `validation_failed`)',
    ),
    to: q(
      'to',
      date,
      'End of the period (default asOf); must be on or after `from`, also when `from` is defaulted (else 400 `invalid_query`)',
    ),
  })
  .superRefine(ordered('from', 'to'));

/** `{ data, nextCursor, hasMore }` around a list item schema. */
export const pageOf = <S extends z.ZodType>(item: S, name: string) =>
  z
    .object({ data: z.array(item), nextCursor: z.string().nullable(), hasMore: z.boolean() })
    .openapi(name);
