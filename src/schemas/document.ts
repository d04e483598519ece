/**
 * Completes the OpenAPI document generated from the routers with what the middleware in front
 * of every route does (src/app.ts), by the same rules the middleware applies:
 * - every operation can answer 429 (rate limits), 500 and 504 (the request deadline);
 * - `/v1` adds 401 (bearer token), 403 (permission, CSRF on writes) and, on writes, 413 and
 *   415 (body guards) and the 400 codes of the JSON checks (src/http/json-shape.ts);
 * - every response carries `X-Request-Id`, allowed ones `RateLimit`/`RateLimit-Policy`, 429 and
 *   503 `Retry-After`.
 * The 400 of each operation lists exactly the codes its parameters and body can produce.
 * Route-specific facts (404, 409, 412, 422, success headers, `X-Min-Position`) stay in the
 * route definitions. New routes get all of this by being mounted.
 */
import type { ProblemStatus } from './problem-codes';
import { statusDescription } from './problem';

type Json = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: Json;
  responses: Record<string, Json>;
  'x-permission'?: string;
  /** 400 codes the route answers beyond its parameters' (declared in its createRoute). */
  'x-bad-request-codes'?: string[];
}
interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
  components?: Json & { responses?: Json; headers?: Json };
  [key: string]: unknown;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'patch', 'delete']);
const ALWAYS: readonly ProblemStatus[] = [429, 500, 504];
const JSON_BODY_CODES = [
  'body_too_deep',
  'forbidden_key',
  'invalid_characters',
  'malformed_json',
  'validation_failed',
];

const text = (description: string) => ({ description, schema: { type: 'string' } });
const ref = (kind: 'headers' | 'responses', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

/** Response headers shared by many responses (components.headers). */
export const SHARED_HEADERS: Json = {
  'X-Request-Id': text(
    'The request id (yours when well-formed, else generated); quote it when reporting a problem',
  ),
  RateLimit: text(
    'Remaining requests and seconds until reset per policy, e.g. `"user";r=12;t=30` (draft-ietf-httpapi-ratelimit-headers)',
  ),
  'RateLimit-Policy': text(
    'The policies that apply, e.g. `"user";q=600;w=60, "tenant";q=3000;w=60`',
  ),
  'Retry-After': {
    description: 'Seconds to wait before retrying',
    schema: { type: 'integer', minimum: 1 },
  },
  'WWW-Authenticate': text('The bearer challenge (`Bearer realm=…, error=…`)'),
  'X-Ledger-Position': text("The tenant's ledger position when the ledger refused the command"),
};

function headersOf(status: number, v1: boolean): Json {
  const headers: Json = { 'X-Request-Id': ref('headers', 'X-Request-Id') };
  if (status < 300 || status === 429) {
    headers.RateLimit = ref('headers', 'RateLimit');
    headers['RateLimit-Policy'] = ref('headers', 'RateLimit-Policy');
  }
  if (status === 429 || status === 503 || status === 409)
    headers['Retry-After'] = ref('headers', 'Retry-After');
  if (status === 401 && v1) headers['WWW-Authenticate'] = ref('headers', 'WWW-Authenticate');
  // Refusals by the ledger (src/ledger/refusals.ts) say where it stood.
  if (status === 409 || status === 412 || status === 422)
    headers['X-Ledger-Position'] = ref('headers', 'X-Ledger-Position');
  return headers;
}

const problemContent = {
  'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
};

/** Error statuses with a shared response (400 is per operation: its codes differ). */
const SHARED_ERRORS: ReadonlySet<number> = new Set<ProblemStatus>([
  401, 403, 404, 409, 412, 413, 415, 422, 429, 500, 503, 504,
]);

/** components.responses: one per shared error status. */
function errorResponses(): Json {
  const statuses = [...SHARED_ERRORS] as ProblemStatus[];
  return Object.fromEntries(
    statuses.map((s) => [
      `Error${s}`,
      { description: statusDescription(s), headers: headersOf(s, true), content: problemContent },
    ]),
  );
}

/** The 400 codes an operation can answer, from its parameters and body. */
function badRequestCodes(op: Operation): string[] {
  const codes = new Set<string>();
  const params = op.parameters ?? [];
  if (op.requestBody) JSON_BODY_CODES.forEach((c) => codes.add(c));
  if (params.some((p) => p.in === 'query')) codes.add('validation_failed');
  for (const p of params) {
    if (p.name === 'Idempotency-Key') {
      codes.add('invalid_idempotency_key');
      if (p.required) codes.add('idempotency_key_required');
    }
    if (p.name === 'If-Match') codes.add('invalid_if_match');
    if (p.name === 'X-Min-Position')
      ['invalid_min_position', 'invalid_query'].forEach((c) => codes.add(c));
    if (p.name === 'X-Consistency') codes.add('invalid_consistency');
    if (p.name === 'cursor') codes.add('invalid_cursor');
  }
  // Codes a route answers beyond its parameters' (e.g. the stream's `invalid_after`): `x-bad-request-codes`.
  for (const code of op['x-bad-request-codes'] ?? []) codes.add(code);
  return [...codes].sort();
}

function statusesOf(path: string, method: string, op: Operation): ProblemStatus[] {
  const v1 = path.startsWith('/v1/');
  const write = method !== 'get';
  const added: ProblemStatus[] = [...ALWAYS];
  if (v1) added.push(401);
  if (v1 && (write || op['x-permission'] !== 'authenticated')) added.push(403);
  if (v1 && write) added.push(413, 415);
  return added;
}

function completeOperation(path: string, method: string, op: Operation): void {
  const v1 = path.startsWith('/v1/');
  for (const status of statusesOf(path, method, op)) op.responses[String(status)] ??= {};
  const badRequest = badRequestCodes(op);
  if (badRequest.length > 0) op.responses['400'] = {};
  else delete op.responses['400'];
  for (const [key, response] of Object.entries(op.responses)) {
    const status = Number(key);
    const plainJson = (response.content as Json | undefined)?.['application/json'] !== undefined;
    if (status === 400) {
      op.responses[key] = {
        description: statusDescription(400, badRequest),
        headers: headersOf(400, v1),
        content: problemContent,
      };
    } else if (status >= 400 && !plainJson && SHARED_ERRORS.has(status)) {
      op.responses[key] = ref('responses', `Error${status}`);
    } else {
      // Successes, plain-JSON answers (/ready's 503) and statuses only one route answers keep
      // their own definition; they get the shared headers.
      response.headers = { ...headersOf(status, v1), ...(response.headers as Json | undefined) };
    }
  }
  op.description ??= describe(method, op);
}

function describe(method: string, op: Operation): string {
  const permission = op['x-permission'];
  const who =
    permission === undefined
      ? 'No token needed.'
      : permission === 'authenticated'
        ? 'Any valid token.'
        : `Needs the \`${permission}\` permission.`;
  const idempotent =
    method === 'post'
      ? ' Send an `Idempotency-Key`: a retry with the same key and body replays the first answer.'
      : '';
  return `${op.summary ?? ''}. ${who}${idempotent}`.trim();
}

/** Adds the middleware's statuses and headers to every operation and the shared components. */
export function completeDocument<D extends object>(generated: D): D {
  const doc = generated as OpenApiDocument;
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item))
      if (HTTP_METHODS.has(method)) completeOperation(path, method, op);
  }
  doc.components = {
    ...doc.components,
    headers: { ...doc.components?.headers, ...SHARED_HEADERS },
    responses: { ...doc.components?.responses, ...errorResponses() },
  };
  return generated;
}
