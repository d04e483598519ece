/**
 * The public API description: `GET /openapi.json` (OpenAPI 3.1, generated from the zod
 * schemas of every mounted router, completed by src/schemas/document.ts) and `GET /docs` (the
 * Scalar reference, whose script this Worker serves itself under `/docs/assets/`: src/docs/).
 * None needs a token. `openApiDocument` builds the same document without a
 * server (scripts/openapi.mjs, for the linters).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { AUTHENTICATED } from '../auth/permissions';
import { documentPermission } from '../auth/authorize';
import { completeDocument } from '../schemas/document';
import { Health, Me, Readiness } from '../schemas/reports';
import { jsonResponse } from '../schemas/route-parts';
import { referencePage } from '../docs/page';
import {
  REFERENCE_ASSETS_PATH,
  REFERENCE_SCRIPT_HEADERS,
  referenceScript,
} from '../docs/reference-asset';

type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

const INFO = {
  title: 'finance-edge API',
  version: '1.0.0',
  description: [
    'Multi-tenant accounting: chart of accounts, journal entries, invoices, payments, customers, vendors.',
    'Money is integer minor units plus an ISO 4217 `currency`; accounting dates are `YYYY-MM-DD`.',
    'Every POST needs an `Idempotency-Key`; changes to an existing resource take `If-Match: "<version>"` (the `ETag`).',
    'Errors are RFC 9457 `application/problem+json` with a stable `code`; each code has one status (the `Problem` schema lists them).',
    'JSON answers over 1 KiB are gzip-encoded only when your `Accept-Encoding` accepts gzip.',
  ].join('\n\n'),
  license: {
    name: 'UNLICENSED: proprietary, all rights reserved',
    identifier: 'LicenseRef-Proprietary',
  },
  contact: { name: 'finance-edge API team', url: 'https://finance-edge.dev' },
};

const SERVERS = [
  { url: 'https://api.finance-edge.dev', description: 'Production' },
  { url: 'http://127.0.0.1:8787', description: 'Local development (`npm start`)' },
];

/** Every tag an operation uses, with what it covers. */
export const TAGS = [
  {
    name: 'Accounts',
    description: 'The chart of accounts: create, rename, re-parent, deactivate.',
  },
  { name: 'Journal entries', description: 'Balanced double-entry postings and their reversals.' },
  { name: 'Invoices', description: 'Drafts, issue (posts the receivable) and void.' },
  { name: 'Payments', description: 'Received payments and their allocation to open invoices.' },
  { name: 'Customers', description: 'Who you invoice.' },
  { name: 'Vendors', description: 'Who you pay.' },
  { name: 'Settings', description: 'The lock date and the default accounts of system postings.' },
  { name: 'Events', description: "The tenant's ledger, event by event, in order." },
  { name: 'Audit', description: 'The history of one resource.' },
  {
    name: 'Reports',
    description:
      'Trial balance, receivables aging, dashboard and rolled-up balances from the read model.',
  },
  { name: 'Search', description: 'Full-text search over customers, vendors and invoices.' },
  {
    name: 'Stream',
    description:
      "The tenant's live event stream over a WebSocket, and single-use browser tickets for it (docs/stream.md).",
  },
  { name: 'Operations', description: 'Liveness, readiness and the identity of a token.' },
  {
    name: 'Operator',
    description:
      "Projection controls for on-call engineers: an operator token only, never a tenant's (docs/runbook.md).",
  },
];

/** Routes that live outside the OpenAPI routers, listed so the document names every route. */
function registerPlainRoutes(app: OpenAPIHono<AppEnv>): void {
  const registry = app.openAPIRegistry;
  registry.registerPath({
    method: 'get',
    path: '/health',
    tags: ['Operations'],
    operationId: 'getHealth',
    summary: 'The isolate is up',
    description:
      'Answers without touching any dependency. No token needed; counted against the per-IP limit.',
    security: [],
    responses: { 200: jsonResponse('Up', Health, 'plain') },
  });
  registry.registerPath({
    method: 'get',
    path: '/ready',
    tags: ['Operations'],
    operationId: 'getReadiness',
    summary: 'Dependencies and their state',
    description:
      'Checks Postgres and KV, each with its own timeout; 503 while any is down. No token needed.',
    security: [],
    responses: {
      200: jsonResponse('Ready', Readiness, 'plain'),
      503: jsonResponse('A dependency is down', Readiness, 'plain'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/me',
    tags: ['Operations'],
    operationId: 'getMe',
    summary: "The token's subject, tenant, roles and permissions",
    description:
      "Who the token says you are, what your roles allow, and your tenant's ledger position. Any valid token.",
    ...documentPermission(AUTHENTICATED),
    responses: {
      200: {
        ...jsonResponse('The principal', Me, 'plain'),
        headers: {
          'X-Ledger-Position': {
            description: "The tenant's ledger position",
            schema: { type: 'string' },
          },
        },
      },
    },
  });
}

const built = new WeakMap<object, Document>();

/** The finished document of `app` (built once per app). */
export function openApiDocument(app: OpenAPIHono<AppEnv>): Document {
  const cached = built.get(app);
  if (cached) return cached;
  const document = completeDocument(
    app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: INFO,
      servers: SERVERS,
      tags: TAGS,
      security: [{ bearerAuth: [] }],
    }),
  );
  built.set(app, document);
  return document;
}

/** Adds `/openapi.json` and `/docs` to `app`; call after every router is mounted. */
export function mountDocs(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  registerPlainRoutes(app);
  app.get('/openapi.json', (c) =>
    c.json(openApiDocument(app), 200, { 'Cache-Control': 'public, max-age=300' }),
  );
  // The page and its script, both from this origin (CSP: src/middleware/secure-headers.ts).
  app.get('/docs', async (c) =>
    c.html(
      referencePage({
        title: INFO.title,
        documentUrl: '/openapi.json',
        scriptUrl: (await referenceScript()).path,
      }),
    ),
  );
  app.get(`${REFERENCE_ASSETS_PATH}/:file`, async (c) => {
    const script = await referenceScript();
    if (c.req.param('file') !== script.name) return c.notFound();
    return c.body(script.body, 200, REFERENCE_SCRIPT_HEADERS);
  });
}
