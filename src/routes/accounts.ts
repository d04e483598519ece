/** `/v1/accounts`: the chart of accounts. */
import { createRoute, type z } from '@hono/zod-openapi';
import { readResource, runCommand } from '../ledger/client';
import { streamIdOf } from '../domain/state';
import { createRouter } from '../http/router';
import { permit } from '../auth/authorize';
import { Account, AccountCreateBody, AccountUpdateBody } from '../schemas/accounts';
import { ChangeHeaders, CreateHeaders, IdParams, PatchHeaders } from '../schemas/common';
import { changeErrors, createErrors, readErrors } from '../schemas/problem';
import { jsonBody, jsonResponse, noBody } from '../schemas/route-parts';
import { runRead } from '../cache/run-read';
import { listAccounts, prepareAccountList, type AccountFilters } from '../read/queries/accounts';
import { AccountListQuery } from '../schemas/lists';
import { flag, listRoute, paging } from './list-route';

type AccountView = z.infer<typeof Account>;
const tags = ['Accounts'];

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create an account',
  operationId: 'createAccount',
  ...permit('accounts:manage'),
  request: { headers: CreateHeaders, body: jsonBody(AccountCreateBody) },
  responses: { 201: jsonResponse('Created', Account, 'create'), ...createErrors },
});

const update = createRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  summary: 'Change code, name, parent or description',
  operationId: 'updateAccount',
  ...permit('accounts:manage'),
  request: { params: IdParams, headers: PatchHeaders, body: jsonBody(AccountUpdateBody) },
  responses: { 200: jsonResponse('Updated', Account), ...changeErrors },
});

const deactivate = createRoute({
  method: 'post',
  path: '/{id}/deactivate',
  tags,
  summary: 'Deactivate an account',
  operationId: 'deactivateAccount',
  ...permit('accounts:manage'),
  request: { params: IdParams, headers: ChangeHeaders, body: noBody() },
  responses: { 200: jsonResponse('Deactivated', Account), ...changeErrors },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'Get an account',
  operationId: 'getAccount',
  ...permit('books:read'),
  request: { params: IdParams },
  responses: { 200: jsonResponse('The account', Account, 'read'), ...readErrors },
});

/** Account routes. */
export const accounts = createRouter('account')
  .openapi(listRoute('/', 'Accounts', 'accounts', AccountListQuery, Account), (c) => {
    const q = c.req.valid('query');
    const parentId = q.parentId === 'none' ? null : q.parentId;
    const params = {
      ...paging(c, q),
      filters: {
        // AccountListQuery let only an account type through; the query checks it again.
        type: q.type as AccountFilters['type'],
        active: flag(q.active),
        ...(parentId !== undefined ? { parentId } : {}),
      },
    };
    return runRead(c, '/v1/accounts', (tx) => listAccounts(tx, params), {
      check: () => prepareAccountList(params),
    });
  })
  .openapi(create, async (c) => {
    const data = c.req.valid('json');
    return c.json(
      await runCommand<AccountView>(c, { type: 'account.create', data }, { body: data }),
      201,
    );
  })
  .openapi(update, async (c) => {
    const { id } = c.req.valid('param');
    const data = c.req.valid('json');
    const view = await runCommand<AccountView>(
      c,
      { type: 'account.update', data: { ...data, id } },
      { streamId: streamIdOf('account', id), body: data },
    );
    return c.json(view, 200);
  })
  .openapi(deactivate, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(
      await runCommand<AccountView>(
        c,
        { type: 'account.deactivate', data: { id } },
        { streamId: streamIdOf('account', id) },
      ),
      200,
    );
  })
  .openapi(get, async (c) =>
    c.json(
      await readResource<AccountView>(c, 'account', streamIdOf('account', c.req.valid('param').id)),
      200,
    ),
  );
