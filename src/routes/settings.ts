/** `/v1/settings`: the tenant's lock date and default accounts. */
import { createRoute, type z } from '@hono/zod-openapi';
import { SETTINGS_STREAM } from '../domain/settings/settings';
import { readResource, runCommand } from '../ledger/client';
import { createRouter } from '../http/router';
import { permit } from '../auth/authorize';
import { PatchHeaders } from '../schemas/common';
import { changeErrors, readErrors } from '../schemas/problem';
import { jsonBody, jsonResponse } from '../schemas/route-parts';
import { Settings, SettingsUpdateBody } from '../schemas/settings';

type SettingsView = z.infer<typeof Settings>;
const tags = ['Settings'];

const get = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'Get the settings',
  operationId: 'getSettings',
  ...permit('books:read'),
  responses: { 200: jsonResponse('The settings', Settings, 'read'), ...readErrors },
});

const update = createRoute({
  method: 'patch',
  path: '/',
  tags,
  summary: 'Move the lock date or remap default accounts',
  operationId: 'updateSettings',
  ...permit('settings:manage'),
  request: { headers: PatchHeaders, body: jsonBody(SettingsUpdateBody) },
  responses: { 200: jsonResponse('Updated', Settings), ...changeErrors },
});

/** Settings routes. */
export const settings = createRouter()
  .openapi(get, async (c) =>
    c.json(await readResource<SettingsView>(c, 'settings', SETTINGS_STREAM), 200),
  )
  .openapi(update, async (c) => {
    const data = c.req.valid('json');
    return c.json(
      await runCommand<SettingsView>(
        c,
        { type: 'settings.update', data },
        { streamId: SETTINGS_STREAM, body: data },
      ),
      200,
    );
  });
