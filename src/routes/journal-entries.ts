/** `/v1/journal-entries`: manual entries and reversals (entries are never edited). */
import { createRoute, type z } from '@hono/zod-openapi';
import { readResource, runCommand } from '../ledger/client';
import { streamIdOf } from '../domain/state';
import { createRouter } from '../http/router';
import { permit } from '../auth/authorize';
import { ChangeHeaders, CreateHeaders, IdParams } from '../schemas/common';
import { JournalEntry, JournalPostBody, JournalReverseBody } from '../schemas/journal-entries';
import { changeErrors, createErrors, readErrors } from '../schemas/problem';
import { jsonBody, jsonResponse, optionalJsonBody } from '../schemas/route-parts';
import { runRead } from '../cache/run-read';
import {
  listJournalEntries,
  prepareJournalEntryList,
  type JournalEntryFilters,
} from '../read/queries/journal-entries';
import { JournalListQuery } from '../schemas/lists';
import { listRoute, paging, range } from './list-route';

type JournalView = z.infer<typeof JournalEntry>;
const tags = ['Journal entries'];

const post = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Post a balanced journal entry',
  operationId: 'postJournalEntry',
  ...permit('journal:post'),
  request: { headers: CreateHeaders, body: jsonBody(JournalPostBody) },
  responses: { 201: jsonResponse('Posted', JournalEntry, 'create'), ...createErrors },
});

const reverse = createRoute({
  method: 'post',
  path: '/{id}/reverse',
  tags,
  summary: 'Reverse an entry with its mirror image',
  operationId: 'reverseJournalEntry',
  ...permit('journal:post'),
  description:
    'Posts a new entry that mirrors the original (debits and credits swapped) and answers with it. `If-Match` refers to the original entry.',
  request: { params: IdParams, headers: ChangeHeaders, body: optionalJsonBody(JournalReverseBody) },
  responses: { 201: jsonResponse('The reversing entry', JournalEntry, 'create'), ...changeErrors },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'Get a journal entry',
  operationId: 'getJournalEntry',
  ...permit('books:read'),
  request: { params: IdParams },
  responses: { 200: jsonResponse('The entry', JournalEntry, 'read'), ...readErrors },
});

/** Journal entry routes. */
export const journalEntries = createRouter('journal')
  .openapi(
    listRoute('/', 'Journal entries', 'journal entries', JournalListQuery, JournalEntry),
    (c) => {
      const q = c.req.valid('query');
      const params = {
        ...paging(c, q),
        filters: {
          date: range(q.dateFrom, q.dateTo),
          accountId: q.accountId,
          // JournalListQuery let only a source type through; the query checks it again.
          sourceType: q.sourceType as JournalEntryFilters['sourceType'],
        },
      };
      return runRead(c, '/v1/journal-entries', (tx) => listJournalEntries(tx, params), {
        check: () => prepareJournalEntryList(params),
      });
    },
  )
  .openapi(post, async (c) => {
    const data = c.req.valid('json');
    return c.json(
      await runCommand<JournalView>(c, { type: 'journal.post', data }, { body: data }),
      201,
    );
  })
  .openapi(reverse, async (c) => {
    const { id } = c.req.valid('param');
    const data = c.req.valid('json');
    const view = await runCommand<JournalView>(
      c,
      { type: 'journal.reverse', data: { ...data, id } },
      { streamId: streamIdOf('journal', id), body: data },
    );
    return c.json(view, 201);
  })
  .openapi(get, async (c) =>
    c.json(
      await readResource<JournalView>(c, 'journal', streamIdOf('journal', c.req.valid('param').id)),
      200,
    ),
  );
