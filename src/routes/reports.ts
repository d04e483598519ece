/**
 * `GET /v1/reports/*`: read-model reports behind the versioned cache like the lists. Report dates default to today (UTC); the date a report
 * was made for is part of its cache key, so a default never outlives its day.
 */
import { createRoute, type z } from '@hono/zod-openapi';
import { runRead } from '../cache/run-read';
import { createRouter } from '../http/router';
import { permit } from '../auth/authorize';
import { accountRollup } from '../read/queries/account-rollup';
import { arAging, prepareArAging } from '../read/queries/ar-aging';
import { dashboard } from '../read/queries/dashboard';
import { dateRange } from '../read/queries/filters';
import { trialBalance } from '../read/queries/trial-balance';
import { ArAgingQuery, AsOfQuery, DashboardQuery } from '../schemas/lists';
import { readErrors } from '../schemas/problem';
import { e503, paging } from './list-route';
import { jsonResponse } from '../schemas/route-parts';
import { CachedReadHeaders } from '../schemas/common';
import {
  AccountBalancesReport,
  ArAgingReport,
  DashboardReport,
  TrialBalanceReport,
} from '../schemas/reports';

const today = () => new Date().toISOString().slice(0, 10);
const daysBefore = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

const reportRoute = <P extends string, Q extends z.ZodObject, R extends z.ZodType>(
  path: P,
  summary: string,
  operationId: string,
  query: Q,
  report: R,
) =>
  createRoute({
    method: 'get',
    path,
    tags: ['Reports'],
    summary,
    operationId,
    ...permit('books:read'),
    request: { query, headers: CachedReadHeaders },
    responses: { 200: jsonResponse(summary, report, 'cached'), ...readErrors, 503: e503 },
  });

/** Report routes, mounted at `/v1/reports`. */
export const reports = createRouter()
  .openapi(
    reportRoute(
      '/trial-balance',
      'Trial balance as of a date',
      'trialBalance',
      AsOfQuery,
      TrialBalanceReport,
    ),
    (c) => {
      const asOf = c.req.valid('query').asOf ?? today();
      const tenantId = c.get('principal').tenantId;
      return runRead(c, '/v1/reports/trial-balance', (tx) => trialBalance(tx, { tenantId, asOf }), {
        resolved: { asOf },
      });
    },
  )
  .openapi(
    reportRoute(
      '/ar-aging',
      'Receivables aging as of a date',
      'arAging',
      ArAgingQuery,
      ArAgingReport,
    ),
    (c) => {
      const q = c.req.valid('query');
      const asOf = q.asOf ?? today();
      const params = { tenantId: c.get('principal').tenantId, asOf, page: paging(c, q) };
      return runRead(c, '/v1/reports/ar-aging', (tx) => arAging(tx, params), {
        resolved: { asOf },
        check: () => prepareArAging(params),
      });
    },
  )
  .openapi(
    reportRoute(
      '/dashboard',
      'Outstanding, overdue and received',
      'dashboard',
      DashboardQuery,
      DashboardReport,
    ),
    (c) => {
      const q = c.req.valid('query');
      const asOf = q.asOf ?? today();
      const to = q.to ?? asOf;
      const from = q.from ?? daysBefore(to, 30);
      const tenantId = c.get('principal').tenantId;
      // The schema orders `from` and `to` when both are sent; a default may still put them out
      // of order (`from` after today): refused here, before the cache and Postgres.
      const check = async () => dateRange('period', { from, to });
      return runRead(
        c,
        '/v1/reports/dashboard',
        (tx) => dashboard(tx, { tenantId, asOf, from, to }),
        { resolved: { asOf, from, to }, check },
      );
    },
  )
  .openapi(
    reportRoute(
      '/account-balances',
      'Account balances rolled up the hierarchy',
      'accountBalances',
      AsOfQuery,
      AccountBalancesReport,
    ),
    (c) => {
      const asOf = c.req.valid('query').asOf ?? null;
      const tenantId = c.get('principal').tenantId;
      return runRead(c, '/v1/reports/account-balances', (tx) =>
        accountRollup(tx, { tenantId, asOf }),
      );
    },
  );
