/**
 * The public API description: `GET /openapi.json` (OpenAPI 3.1, generated from the zod
 * schemas of every mounted router), `GET /docs` (the Scalar reference, whose script this Worker
 * serves itself under `/docs/assets/`: src/docs/). None needs a token.
 */
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { AUTHENTICATED } from '../auth/permissions';
import { documentPermission } from '../auth/authorize';
import { Problem } from '../schemas/problem';
import { referencePage } from '../docs/page';
import { REFERENCE_ASSETS_PATH, REFERENCE_SCRIPT_HEADERS, referenceScript } from '../docs/reference-asset';

type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

const INFO = {
  title: 'finance-edge API',
  version: '1.0.0',
  description: [
    'Multi-tenant accounting: chart of accounts, journal entries, invoices, payments, customers, vendors.',
    'Money is integer minor units plus an ISO 4217 `currency`; accounting dates are `YYYY-MM-DD`.',
    'Every POST needs an `Idempotency-Key`; changes to an existing resource take `If-Match: "<version>"` (the `ETag`).',
    'Errors are RFC 9457 `application/problem+json` with a stable `code`.',
  ].join('\n\n'),
};

/** Routes that live outside the OpenAPI routers, listed so the document names every route. */
function registerPlainRoutes(app: OpenAPIHono<AppEnv>): void {
  const json = (description: string) => ({ description, content: { 'application/json': { schema: z.looseObject({}) } } });
  const problem = { description: 'Unauthorized', content: { 'application/problem+json': { schema: Problem } } };
  app.openAPIRegistry.registerPath({ method: 'get', path: '/health', tags: ['Operations'], summary: 'The isolate is up', security: [], responses: { 200: json('Up') } });
  app.openAPIRegistry.registerPath({ method: 'get', path: '/ready', tags: ['Operations'], summary: 'Dependencies and their state', security: [], responses: { 200: json('Ready'), 503: json('A dependency is down') } });
  app.openAPIRegistry.registerPath({
    method: 'get', path: '/v1/me', tags: ['Operations'], summary: "The token's subject, tenant, roles and permissions", ...documentPermission(AUTHENTICATED),
    responses: { 200: json('The principal'), 401: problem },
  });
}

/** Adds `/openapi.json` and `/docs` to `app`; call after every router is mounted. */
export function mountDocs(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registerPlainRoutes(app);
  let document: Document | undefined;
  const build = (): Document =>
    (document ??= app.getOpenAPI31Document({ openapi: '3.1.0', info: INFO, security: [{ bearerAuth: [] }] }));
  app.get('/openapi.json', (c) => c.json(build(), 200, { 'Cache-Control': 'public, max-age=300' }));
  // The page and its script, both from this origin (CSP: src/middleware/secure-headers.ts).
  app.get('/docs', async (c) => c.html(referencePage({ title: INFO.title, documentUrl: '/openapi.json', scriptUrl: (await referenceScript()).path })));
  app.get(`${REFERENCE_ASSETS_PATH}/:file`, async (c) => {
    const script = await referenceScript();
    if (c.req.param('file') !== script.name) return c.notFound();
    return c.body(script.body, 200, REFERENCE_SCRIPT_HEADERS);
  });
}
