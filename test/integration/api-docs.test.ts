/** The API description: `/openapi.json` and `/docs` are public and list every route. */
import { hc } from 'hono/client';
import { describe, expect, it } from 'vitest';
import type { AppType } from '../../src/app';
import { call } from '../fixtures/http';

type Response = {
  $ref?: string;
  description?: string;
  content?: Record<string, unknown>;
  headers?: Record<string, unknown>;
};
type Operation = {
  operationId?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  responses: Record<string, Response>;
  security?: unknown[];
};
type Doc = {
  openapi: string;
  info: { license?: unknown };
  servers?: unknown[];
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, unknown>;
    schemas: Record<string, { properties?: Record<string, { enum?: string[] }> }>;
    responses: Record<string, Response>;
  };
  security: unknown[];
};

/** A response, its `$ref` (components.responses) followed. */
const resolve = (doc: Doc, r: Response | undefined): Response | undefined =>
  r?.$ref ? doc.components.responses[r.$ref.split('/').pop() ?? ''] : r;

const ROUTES = {
  // Operator routes (operator credential, src/routes/ops.ts).
  '/ops/tenants/{tenantId}/projection': ['get'],
  '/ops/tenants/{tenantId}/rebuild': ['post'],
  '/ops/tenants/{tenantId}/replay-outbox': ['post'],
  '/v1/accounts': ['get', 'post'],
  '/v1/accounts/{id}': ['get', 'patch'],
  '/v1/accounts/{id}/deactivate': ['post'],
  '/v1/journal-entries': ['get', 'post'],
  '/v1/journal-entries/{id}': ['get'],
  '/v1/journal-entries/{id}/reverse': ['post'],
  '/v1/invoices': ['get', 'post'],
  '/v1/invoices/{id}': ['get', 'patch'],
  '/v1/invoices/{id}/issue': ['post'],
  '/v1/invoices/{id}/void': ['post'],
  '/v1/payments': ['get', 'post'],
  '/v1/payments/{id}': ['get'],
  '/v1/payments/{id}/allocations': ['post'],
  '/v1/customers': ['get', 'post'],
  '/v1/customers/{id}': ['get', 'patch'],
  '/v1/customers/{id}/deactivate': ['post'],
  '/v1/vendors': ['get', 'post'],
  '/v1/vendors/{id}': ['get', 'patch'],
  '/v1/vendors/{id}/deactivate': ['post'],
  '/v1/settings': ['get', 'patch'],
  '/v1/events': ['get'],
  '/v1/audit': ['get'],
  '/v1/stream': ['get'],
  '/v1/stream/tickets': ['post'],
  '/v1/me': ['get'],
  '/v1/reports/trial-balance': ['get'],
  '/v1/reports/ar-aging': ['get'],
  '/v1/reports/dashboard': ['get'],
  '/v1/reports/account-balances': ['get'],
  '/v1/search': ['get'],
  '/health': ['get'],
  '/ready': ['get'],
};

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1, public, and lists every route with its methods', async () => {
    const res = await call('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(Object.keys(ROUTES).sort());
    for (const [path, methods] of Object.entries(ROUTES))
      expect(Object.keys(doc.paths[path] ?? {}).sort(), path).toEqual([...methods].sort());
    expect(doc.components.securitySchemes.bearerAuth).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/health']?.get?.security).toEqual([]);
    expect(doc.components.securitySchemes.operatorAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(doc.paths['/ops/tenants/{tenantId}/rebuild']?.post?.security).toEqual([
      { operatorAuth: [] },
    ]);
  });

  it('documents the write headers, problem+json errors and the schemas', async () => {
    const doc = (await (await call('/openapi.json')).json()) as Doc;
    const issue = doc.paths['/v1/invoices/{id}/issue']?.post;
    expect(issue?.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }),
        expect.objectContaining({ name: 'If-Match', in: 'header', required: false }),
        expect.objectContaining({ name: 'id', in: 'path', required: true }),
      ]),
    );
    for (const status of [
      '400',
      '401',
      '403',
      '404',
      '409',
      '412',
      '413',
      '415',
      '422',
      '429',
      '500',
      '504',
    ]) {
      expect(Object.keys(resolve(doc, issue?.responses[status])?.content ?? {}), status).toEqual([
        'application/problem+json',
      ]);
    }
    expect(resolve(doc, issue?.responses['400'])?.description).toContain('`invalid_if_match`');
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'Problem',
        'Account',
        'Invoice',
        'InvoiceCreate',
        'Payment',
        'JournalEntry',
        'Party',
        'Settings',
        'EventsPage',
      ]),
    );
  });

  it('every operation: operationId, description, a defined tag, X-Request-Id on every response, 429 with its headers', async () => {
    const doc = (await (await call('/openapi.json')).json()) as Doc;
    expect(doc.info.license).toBeTruthy();
    expect(doc.servers?.length).toBeGreaterThan(0);
    const tags = new Set((doc.tags ?? []).filter((t) => t.description).map((t) => t.name));
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method} ${path}`;
        expect(op.operationId, where).toBeTruthy();
        ids.add(op.operationId ?? '');
        expect(op.description, where).toBeTruthy();
        for (const tag of op.tags ?? []) expect(tags.has(tag), `${where} tag ${tag}`).toBe(true);
        for (const [status, r] of Object.entries(op.responses))
          expect(Object.keys(resolve(doc, r)?.headers ?? {}), `${where} ${status}`).toContain(
            'X-Request-Id',
          );
        expect(Object.keys(resolve(doc, op.responses['429'])?.headers ?? {}), where).toEqual(
          expect.arrayContaining(['Retry-After', 'RateLimit', 'RateLimit-Policy']),
        );
        for (const status of ['500', '504'])
          expect(op.responses[status], `${where} ${status}`).toBeTruthy();
        if (path.startsWith('/v1/')) expect(op.responses['401'], where).toBeTruthy();
        if (path.startsWith('/v1/') && method !== 'get')
          for (const status of ['413', '415'])
            expect(op.responses[status], `${where} ${status}`).toBeTruthy();
      }
    }
    expect(ids.size).toBe(Object.values(ROUTES).flat().length);
    const codes = doc.components.schemas.Problem?.properties?.code?.enum ?? [];
    for (const code of [
      'body_too_deep',
      'forbidden_key',
      'invalid_characters',
      'invalid_cursor',
      'invalid_min_position',
      'invalid_query',
      'idempotency_key_in_flight',
      'rate_limited',
      'payload_too_large',
    ])
      expect(codes, code).toContain(code);
    for (const path of ['/v1/invoices', '/v1/reports/dashboard', '/v1/search']) {
      expect(doc.paths[path]?.get?.parameters, path).toContainEqual(
        expect.objectContaining({ name: 'X-Min-Position', in: 'header' }),
      );
      expect(Object.keys(doc.paths[path]?.get?.responses['200']?.headers ?? {}), path).toEqual(
        expect.arrayContaining(['X-Cache', 'X-Read-Model-Position', 'Age']),
      );
      expect(doc.paths[path]?.get?.responses['503'], path).toBeDefined();
    }
  });

  it('documents the read parameters: dates as format date, limits with their exact pattern', async () => {
    const doc = (await (await call('/openapi.json')).json()) as Doc;
    type Param = {
      name: string;
      in: string;
      schema?: { type?: string; format?: string; pattern?: string };
    };
    const params = (path: string) => (doc.paths[path]?.get?.parameters ?? []) as Param[];
    const byName = (path: string, name: string) =>
      params(path).find((p) => p.name === name && p.in === 'query');
    expect(params('/v1/invoices').map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'limit',
        'cursor',
        'status',
        'customerId',
        'issueDateFrom',
        'issueDateTo',
        'dueDateFrom',
        'dueDateTo',
        'expand',
      ]),
    );
    for (const [path, name] of [
      ['/v1/invoices', 'issueDateFrom'],
      ['/v1/payments', 'dateTo'],
      ['/v1/reports/dashboard', 'from'],
      ['/v1/reports/trial-balance', 'asOf'],
    ] as const) {
      expect(byName(path, name)?.schema, `${path} ${name}`).toMatchObject({
        type: 'string',
        format: 'date',
      });
    }
    const limit = new RegExp(byName('/v1/customers', 'limit')?.schema?.pattern ?? '^$');
    expect(
      ['1', '50', '100'].every((v) => limit.test(v)) &&
        !['0', '101', '050', '1000'].some((v) => limit.test(v)),
    ).toBe(true);
    const searchLimit = new RegExp(byName('/v1/search', 'limit')?.schema?.pattern ?? '^$');
    expect(
      ['1', '50'].every((v) => searchLimit.test(v)) &&
        !['0', '51', '99'].some((v) => searchLimit.test(v)),
    ).toBe(true);
  });

  it('/docs is an HTML page that loads the document and the reference script from this origin only', async () => {
    const res = await call('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('data-url="/openapi.json"');
    expect(html).toMatch(/<script src="\/docs\/assets\/scalar-[0-9a-f]{16}\.js"><\/script>/);
    // No absolute URL at all: nothing from another origin (fonts, CDN, telemetry).
    expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9]/i);
  });

  it('serves the reference script under a hash of its bytes, immutable for a year', async () => {
    const path = /<script src="([^"]+)"/.exec(await (await call('/docs')).text())?.[1] ?? '';
    for (let i = 0; i < 2; i++) {
      // Twice: every response gets the whole script (no body takes the bundle's buffer away).
      const res = await call(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
      expect(res.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      const body = await res.arrayBuffer();
      expect(body.byteLength).toBeGreaterThan(1_000_000);
      // Scalar's banner names the package and its version (asserted as a boolean: the body is megabytes).
      expect(
        /\* @scalar\/api-reference \d+\.\d+\.\d+\n/.test(new TextDecoder().decode(body)),
        'Scalar banner',
      ).toBe(true);
      const hex = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', body)), (b) =>
        b.toString(16).padStart(2, '0'),
      ).join('');
      expect(path).toBe(`/docs/assets/scalar-${hex.slice(0, 16)}.js`);
    }
  });

  it('answers 404 problem+json for any other name under /docs/assets', async () => {
    for (const path of [
      '/docs/assets/scalar-0000000000000000.js',
      '/docs/assets/standalone.js',
      '/docs/assets/',
    ]) {
      const res = await call(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('Content-Type'), path).toMatch(/application\/problem\+json/);
    }
  });

  it('the hc client type covers the routes', () => {
    const client = hc<AppType>('http://x');
    expect(client.v1.invoices[':id'].issue.$url({ param: { id: 'inv_1' } }).pathname).toBe(
      '/v1/invoices/inv_1/issue',
    );
    expect(typeof client.v1.events.$get).toBe('function');
  });
});
