/** `/v1/customers` and `/v1/vendors`: the same four routes over one party shape. */
import { createRoute, type z } from '@hono/zod-openapi';
import type { Command, IdInput, PartyCreateInput, PartyUpdateInput } from '../domain/commands';
import type { PartyKind } from '../domain/parties/party';
import { readResource, runCommand } from '../ledger/client';
import { streamIdOf } from '../domain/state';
import { createRouter } from '../http/router';
import { permit } from '../auth/authorize';
import { ChangeHeaders, CreateHeaders, IdParams, PatchHeaders } from '../schemas/common';
import { Party, PartyCreateBody, PartyUpdateBody } from '../schemas/parties';
import { changeErrors, createErrors, readErrors } from '../schemas/problem';
import { jsonBody, jsonResponse, noBody } from '../schemas/route-parts';
import { runRead } from '../cache/run-read';
import { listCustomers, listVendors, preparePartyList } from '../read/queries/parties';
import { PartyListQuery } from '../schemas/lists';
import { flag, listRoute, paging } from './list-route';

type PartyView = z.infer<typeof Party>;

/** The command of one party action (spelled out so each command type stays checked). */
function partyCommand(kind: PartyKind, action: 'create', data: PartyCreateInput): Command;
function partyCommand(kind: PartyKind, action: 'update', data: PartyUpdateInput): Command;
function partyCommand(kind: PartyKind, action: 'deactivate', data: IdInput): Command;
function partyCommand(
  kind: PartyKind,
  action: 'create' | 'update' | 'deactivate',
  input: PartyCreateInput | PartyUpdateInput | IdInput,
): Command {
  // The overloads tie `input` to `action`; the implementation sees their union.
  const data = input as PartyCreateInput & PartyUpdateInput;
  const customer = kind === 'customer';
  switch (action) {
    case 'create':
      return customer ? { type: 'customer.create', data } : { type: 'vendor.create', data };
    case 'update':
      return customer ? { type: 'customer.update', data } : { type: 'vendor.update', data };
    case 'deactivate':
      return customer ? { type: 'customer.deactivate', data } : { type: 'vendor.deactivate', data };
  }
}

/** The router of one party kind. */
export function partyRouter(kind: PartyKind) {
  const Kind = kind === 'customer' ? 'Customer' : 'Vendor';
  const tags = [`${Kind}s`];
  const create = createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: `Create a ${kind}`,
    operationId: `create${Kind}`,
    ...permit('parties:write'),
    request: { headers: CreateHeaders, body: jsonBody(PartyCreateBody) },
    responses: { 201: jsonResponse('Created', Party, 'create'), ...createErrors },
  });
  const update = createRoute({
    method: 'patch',
    path: '/{id}',
    tags,
    summary: `Change a ${kind} (null clears a field)`,
    operationId: `update${Kind}`,
    ...permit('parties:write'),
    request: { params: IdParams, headers: PatchHeaders, body: jsonBody(PartyUpdateBody) },
    responses: { 200: jsonResponse('Updated', Party), ...changeErrors },
  });
  const deactivate = createRoute({
    method: 'post',
    path: '/{id}/deactivate',
    tags,
    summary: `Deactivate a ${kind}`,
    operationId: `deactivate${Kind}`,
    ...permit('parties:write'),
    request: { params: IdParams, headers: ChangeHeaders, body: noBody() },
    responses: { 200: jsonResponse('Deactivated', Party), ...changeErrors },
  });
  const get = createRoute({
    method: 'get',
    path: '/{id}',
    tags,
    summary: `Get a ${kind}`,
    operationId: `get${Kind}`,
    ...permit('books:read'),
    request: { params: IdParams },
    responses: { 200: jsonResponse(`The ${kind}`, Party, 'read'), ...readErrors },
  });
  const target = (id: string) => streamIdOf(kind, id);
  const plural = kind === 'customer' ? 'customers' : 'vendors';
  const Plural = kind === 'customer' ? 'Customers' : 'Vendors';
  return createRouter(kind)
    .openapi(listRoute('/', Plural, plural, PartyListQuery, Party), (c) => {
      const q = c.req.valid('query');
      const params = {
        ...paging(c, q),
        filters: { active: flag(q.active), namePrefix: q.namePrefix },
      };
      const list = kind === 'customer' ? listCustomers : listVendors;
      return runRead(c, `/v1/${plural}`, (tx) => list(tx, params), {
        check: () => preparePartyList(plural, params),
      });
    })
    .openapi(create, async (c) => {
      const data = c.req.valid('json');
      return c.json(
        await runCommand<PartyView>(c, partyCommand(kind, 'create', data), { body: data }),
        201,
      );
    })
    .openapi(update, async (c) => {
      const { id } = c.req.valid('param');
      const data = c.req.valid('json');
      const view = await runCommand<PartyView>(c, partyCommand(kind, 'update', { ...data, id }), {
        streamId: target(id),
        body: data,
      });
      return c.json(view, 200);
    })
    .openapi(deactivate, async (c) => {
      const { id } = c.req.valid('param');
      return c.json(
        await runCommand<PartyView>(c, partyCommand(kind, 'deactivate', { id }), {
          streamId: target(id),
        }),
        200,
      );
    })
    .openapi(get, async (c) =>
      c.json(await readResource<PartyView>(c, kind, target(c.req.valid('param').id)), 200),
    );
}

/** Customer routes. */
export const customers = partyRouter('customer');

/** Vendor routes. */
export const vendors = partyRouter('vendor');
