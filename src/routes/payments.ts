/** `/v1/payments`: customer payments and their allocation to invoices. */
import { createRoute, type z } from '@hono/zod-openapi';
import { readResource, runCommand } from '../ledger/client';
import { streamIdOf } from '../domain/state';
import { createRouter } from '../http/router';
import { assertPermission, permit } from '../auth/authorize';
import { ChangeHeaders, CreateHeaders, IdParams } from '../schemas/common';
import { Payment, PaymentAllocateBody, PaymentRecordBody } from '../schemas/payments';
import { changeErrors, createErrors, readErrors } from '../schemas/problem';
import { jsonBody, jsonResponse } from '../schemas/route-parts';
import { runRead } from '../cache/run-read';
import { listPayments, preparePaymentList, type PaymentFilters } from '../read/queries/payments';
import { PaymentListQuery } from '../schemas/lists';
import { expandPage, listRoute, paging, range, WithCustomer } from './list-route';

type PaymentView = z.infer<typeof Payment>;
const tags = ['Payments'];

const record = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Record a payment (optionally allocated at once)',
  operationId: 'recordPayment',
  ...permit('payments:record'),
  description:
    'Allocating in the same request (a non-empty `allocations`) also needs `payments:allocate`.',
  request: { headers: CreateHeaders, body: jsonBody(PaymentRecordBody) },
  responses: { 201: jsonResponse('Recorded', Payment, 'create'), ...createErrors },
});

const allocate = createRoute({
  method: 'post',
  path: '/{id}/allocations',
  tags,
  summary: 'Apply unallocated credit to open invoices',
  operationId: 'allocatePayment',
  ...permit('payments:allocate'),
  request: { params: IdParams, headers: ChangeHeaders, body: jsonBody(PaymentAllocateBody) },
  responses: { 200: jsonResponse('Allocated', Payment), ...changeErrors },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'Get a payment',
  operationId: 'getPayment',
  ...permit('books:read'),
  request: { params: IdParams },
  responses: { 200: jsonResponse('The payment', Payment, 'read'), ...readErrors },
});

/** Payment routes. */
export const payments = createRouter('payment')
  .openapi(listRoute('/', 'Payments', 'payments', PaymentListQuery, WithCustomer(Payment)), (c) => {
    const q = c.req.valid('query');
    const params = {
      ...paging(c, q),
      filters: {
        customerId: q.customerId,
        date: range(q.dateFrom, q.dateTo),
        // PaymentListQuery let only a payment method through; the query checks it again.
        method: q.method as PaymentFilters['method'],
      },
    };
    return runRead(
      c,
      '/v1/payments',
      async (tx) => expandPage(c, tx, await listPayments(tx, params), q.expand),
      { check: () => preparePaymentList(params) },
    );
  })
  .openapi(record, async (c) => {
    const data = c.req.valid('json');
    if (data.allocations !== undefined && data.allocations.length > 0)
      assertPermission(c, 'payments:allocate');
    return c.json(
      await runCommand<PaymentView>(c, { type: 'payment.record', data }, { body: data }),
      201,
    );
  })
  .openapi(allocate, async (c) => {
    const { id } = c.req.valid('param');
    const data = c.req.valid('json');
    const view = await runCommand<PaymentView>(
      c,
      { type: 'payment.allocate', data: { ...data, id } },
      { streamId: streamIdOf('payment', id), body: data },
    );
    return c.json(view, 200);
  })
  .openapi(get, async (c) =>
    c.json(
      await readResource<PaymentView>(c, 'payment', streamIdOf('payment', c.req.valid('param').id)),
      200,
    ),
  );
