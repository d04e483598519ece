/**
 * Response schemas of the reports, search hits, `/v1/me`, `/health` and `/ready`: exactly the
 * shapes the read queries (src/read/queries/*) and handlers return, closed
 * (`additionalProperties: false`) because the server never adds fields to them.
 */
import { z } from '@hono/zod-openapi';

const Minor = z.number().int().openapi({ description: 'Integer minor units (cents)' });
const Day = z.string().openapi({ format: 'date', example: '2025-03-31' });
const Code = z.string().openapi({ example: 'USD' });
const AccountKind = z.enum(['asset', 'liability', 'equity', 'revenue', 'expense']);

export const TrialBalanceReport = z
  .strictObject({
    asOf: Day,
    currencies: z.array(
      z.strictObject({
        currency: Code,
        accounts: z.array(
          z.strictObject({
            accountId: z.string(),
            code: z.string(),
            name: z.string(),
            type: AccountKind,
            debit: Minor,
            credit: Minor,
            balance: Minor,
          }),
        ),
        totals: z.strictObject({ debit: Minor, credit: Minor }),
      }),
    ),
  })
  .openapi('TrialBalance');

const aging = {
  current: Minor,
  days1To30: Minor,
  days31To60: Minor,
  days61To90: Minor,
  over90: Minor,
  total: Minor,
};

export const ArAgingReport = z
  .strictObject({
    asOf: Day,
    currencies: z.array(
      z.strictObject({
        currency: Code,
        customers: z.array(
          z.strictObject({ customerId: z.string(), name: z.string().nullable(), ...aging }),
        ),
        totals: z.strictObject(aging),
      }),
    ),
    nextCursor: z.string().nullable().openapi({
      description: 'Pass as `cursor` for the next page of customers; null on the last page',
    }),
    hasMore: z.boolean().openapi({
      description: 'Another page follows (a page may hold fewer than `limit` customers)',
    }),
  })
  .openapi('ArAging');

export const DashboardReport = z
  .strictObject({
    asOf: Day,
    period: z.strictObject({ from: Day, to: Day }),
    currencies: z.array(
      z.strictObject({ currency: Code, outstanding: Minor, overdue: Minor, received: Minor }),
    ),
    counts: z.strictObject({
      openInvoices: z.number().int(),
      overdueInvoices: z.number().int(),
      draftInvoices: z.number().int(),
      paymentsReceived: z.number().int(),
    }),
  })
  .openapi('Dashboard');

export const AccountBalancesReport = z
  .strictObject({
    asOf: Day.nullable().openapi({ description: 'null: current balances (everything projected)' }),
    accounts: z.array(
      z.strictObject({
        accountId: z.string(),
        code: z.string(),
        name: z.string(),
        type: AccountKind,
        parentId: z.string().nullable(),
        active: z.boolean(),
        balances: z.array(z.strictObject({ currency: Code, own: Minor, total: Minor })),
      }),
    ),
  })
  .openapi('AccountBalances');

export const SearchResult = z
  .strictObject({
    data: z.array(
      z.strictObject({
        type: z.enum(['customer', 'vendor', 'invoice']),
        id: z.string(),
        title: z.string(),
        snippet: z.string().nullable(),
        rank: z.number(),
      }),
    ),
  })
  .openapi('SearchResult');

export const Me = z
  .strictObject({
    subject: z.string(),
    tenantId: z.string(),
    roles: z.array(z.string()),
    permissions: z.array(z.string()),
    ledgerPosition: z.number().int().min(0),
  })
  .openapi('Me');

export const Health = z
  .strictObject({ status: z.literal('ok'), version: z.string() })
  .openapi('Health');

const Dependency = z.strictObject({
  status: z.enum(['ok', 'down']),
  latencyMs: z.number().int().min(0),
  error: z.enum(['timeout', 'unreachable']).optional(),
});

export const Readiness = z
  .strictObject({
    status: z.enum(['ok', 'degraded']),
    dependencies: z.strictObject({ postgres: Dependency, kv: Dependency }),
  })
  .openapi('Readiness');
