/** `/v1/journal-entries`: manual entries and reversals (entries are never edited). */
import { createRoute, type z } from '@hono/zod-openapi';
import { runCommand } from '../http/command';
import { readResource } from '../http/read';
import { streamOf } from '../http/resources';
import { createRouter } from '../http/router';
import { permit } from '../middleware/authorize';
import { ChangeHeaders, CreateHeaders, IdParams } from '../schemas/common';
import { JournalEntry, JournalPostBody, JournalReverseBody } from '../schemas/journal-entries';
import { changeErrors, createErrors, readErrors } from '../schemas/problem';
import { jsonBody, jsonResponse, optionalJsonBody } from '../schemas/route-parts';

type JournalView = z.infer<typeof JournalEntry>;
const tags = ['Journal entries'];

const post = createRoute({
  method: 'post', path: '/', tags, summary: 'Post a balanced journal entry', operationId: 'postJournalEntry', ...permit('journal:post'),
  request: { headers: CreateHeaders, body: jsonBody(JournalPostBody) },
  responses: { 201: jsonResponse('Posted', JournalEntry, 'create'), ...createErrors },
});

const reverse = createRoute({
  method: 'post', path: '/{id}/reverse', tags, summary: 'Reverse an entry with its mirror image', operationId: 'reverseJournalEntry', ...permit('journal:post'),
  description: 'Posts a new entry that mirrors the original (debits and credits swapped) and answers with it. `If-Match` refers to the original entry.',
  request: { params: IdParams, headers: ChangeHeaders, body: optionalJsonBody(JournalReverseBody) },
  responses: { 201: jsonResponse('The reversing entry', JournalEntry, 'create'), ...changeErrors },
});

const get = createRoute({
  method: 'get', path: '/{id}', tags, summary: 'Get a journal entry', operationId: 'getJournalEntry', ...permit('books:read'),
  request: { params: IdParams },
  responses: { 200: jsonResponse('The entry', JournalEntry, 'read'), ...readErrors },
});

/** Journal entry routes. */
export const journalEntries = createRouter('journal')
  .openapi(post, async (c) => {
    const data = c.req.valid('json');
    return c.json(await runCommand<JournalView>(c, { type: 'journal.post', data }, { body: data }), 201);
  })
  .openapi(reverse, async (c) => {
    const { id } = c.req.valid('param');
    const data = c.req.valid('json');
    const view = await runCommand<JournalView>(c, { type: 'journal.reverse', data: { ...data, id } }, { streamId: streamOf('journal', id), body: data });
    return c.json(view, 201);
  })
  .openapi(get, async (c) => c.json(await readResource<JournalView>(c, 'journal', streamOf('journal', c.req.valid('param').id)), 200));
