/** `/v1/invoices`: drafts, issue (posts the receivable), void. */
import { createRoute, type z } from '@hono/zod-openapi';
import { readResource, runCommand } from '../ledger/client';
import { streamIdOf } from '../domain/state';
import { createRouter } from '../http/router';
import { permit } from '../auth/authorize';
import { ChangeHeaders, CreateHeaders, IdParams, PatchHeaders } from '../schemas/common';
import {
  Invoice,
  InvoiceCreateBody,
  InvoiceUpdateBody,
  InvoiceVoidBody,
  toLineInputs,
} from '../schemas/invoices';
import { changeErrors, createErrors, readErrors } from '../schemas/problem';
import { jsonBody, jsonResponse, noBody, optionalJsonBody } from '../schemas/route-parts';
import { runRead } from '../cache/run-read';
import type { InvoiceStatus } from '../domain/events';
import { csv } from '../http/query-params';
import { listInvoices, prepareInvoiceList } from '../read/queries/invoices';
import { InvoiceListQuery } from '../schemas/lists';
import { expandPage, listRoute, paging, range, WithCustomer } from './list-route';

type InvoiceView = z.infer<typeof Invoice>;
const tags = ['Invoices'];
const target = (id: string) => streamIdOf('invoice', id);

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create a draft invoice',
  operationId: 'createInvoice',
  ...permit('invoices:write'),
  request: { headers: CreateHeaders, body: jsonBody(InvoiceCreateBody) },
  responses: { 201: jsonResponse('Draft created', Invoice, 'create'), ...createErrors },
});

const update = createRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  summary: 'Change a draft invoice',
  operationId: 'updateInvoice',
  ...permit('invoices:write'),
  request: { params: IdParams, headers: PatchHeaders, body: jsonBody(InvoiceUpdateBody) },
  responses: { 200: jsonResponse('Updated', Invoice), ...changeErrors },
});

const issue = createRoute({
  method: 'post',
  path: '/{id}/issue',
  tags,
  summary: 'Issue a draft (posts Dr receivable / Cr revenue / Cr tax)',
  operationId: 'issueInvoice',
  ...permit('invoices:issue'),
  request: { params: IdParams, headers: ChangeHeaders, body: noBody() },
  responses: { 200: jsonResponse('Issued', Invoice), ...changeErrors },
});

const voidRoute = createRoute({
  method: 'post',
  path: '/{id}/void',
  tags,
  summary: 'Void a draft or an unpaid invoice',
  operationId: 'voidInvoice',
  ...permit('invoices:issue'),
  request: { params: IdParams, headers: ChangeHeaders, body: optionalJsonBody(InvoiceVoidBody) },
  responses: { 200: jsonResponse('Voided', Invoice), ...changeErrors },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'Get an invoice',
  operationId: 'getInvoice',
  ...permit('books:read'),
  request: { params: IdParams },
  responses: { 200: jsonResponse('The invoice', Invoice, 'read'), ...readErrors },
});

/** Invoice routes. */
export const invoices = createRouter('invoice')
  .openapi(listRoute('/', 'Invoices', 'invoices', InvoiceListQuery, WithCustomer(Invoice)), (c) => {
    const q = c.req.valid('query');
    const params = {
      ...paging(c, q),
      filters: {
        status: csv(q.status) as InvoiceStatus[] | undefined,
        customerId: q.customerId,
        currency: q.currency,
        issueDate: range(q.issueDateFrom, q.issueDateTo),
        dueDate: range(q.dueDateFrom, q.dueDateTo),
      },
    };
    return runRead(
      c,
      '/v1/invoices',
      async (tx) => expandPage(c, tx, await listInvoices(tx, params), q.expand),
      { check: () => prepareInvoiceList(params) },
    );
  })
  .openapi(create, async (c) => {
    const body = c.req.valid('json');
    const data = { ...body, lines: toLineInputs(body.lines) };
    return c.json(
      await runCommand<InvoiceView>(c, { type: 'invoice.create', data }, { body: data }),
      201,
    );
  })
  .openapi(update, async (c) => {
    const { id } = c.req.valid('param');
    const { lines, ...rest } = c.req.valid('json');
    const data = { ...rest, ...(lines === undefined ? {} : { lines: toLineInputs(lines) }) };
    const view = await runCommand<InvoiceView>(
      c,
      { type: 'invoice.update', data: { ...data, id } },
      { streamId: target(id), body: data },
    );
    return c.json(view, 200);
  })
  .openapi(issue, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(
      await runCommand<InvoiceView>(
        c,
        { type: 'invoice.issue', data: { id } },
        { streamId: target(id) },
      ),
      200,
    );
  })
  .openapi(voidRoute, async (c) => {
    const { id } = c.req.valid('param');
    const data = c.req.valid('json');
    return c.json(
      await runCommand<InvoiceView>(
        c,
        { type: 'invoice.void', data: { ...data, id } },
        { streamId: target(id), body: data },
      ),
      200,
    );
  })
  .openapi(get, async (c) =>
    c.json(await readResource<InvoiceView>(c, 'invoice', target(c.req.valid('param').id)), 200),
  );
