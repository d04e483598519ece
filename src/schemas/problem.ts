/**
 * The RFC 9457 problem document and the error responses routes declare in OpenAPI. Routes
 * list the statuses their own logic answers (`readErrors`, `createErrors`, `changeErrors`);
 * the statuses every route of a kind can answer because of the middleware in front of it
 * (401, 413, 429, 500, 504, …) are added to each operation by src/schemas/document.ts.
 */
import { z } from '@hono/zod-openapi';
import { ALL_PROBLEM_CODES, codesOf, type ProblemStatus } from './problem-codes';

/** Every error response: `application/problem+json` with a stable `code`. */
export const Problem = z
  .strictObject({
    type: z
      .string()
      .openapi({ format: 'uri', example: 'https://finance-edge.dev/problems/journal_unbalanced' }),
    title: z.string().openapi({ example: 'Unprocessable content' }),
    status: z.number().int().min(400).max(599).openapi({ example: 422 }),
    detail: z.string().openapi({ example: 'Debits and credits must balance in every currency.' }),
    code: z.enum(ALL_PROBLEM_CODES as [string, ...string[]]).openapi({
      example: 'journal_unbalanced',
      description:
        'Stable machine-readable code; each code has exactly one status (the table in docs/api.md).',
    }),
    requestId: z.string().optional().openapi({
      description: 'The `X-Request-Id` of the request; quote it when reporting a problem.',
    }),
    errors: z
      .array(
        z.strictObject({
          path: z.string().openapi({ example: 'lines.0.debit' }),
          message: z.string(),
        }),
      )
      .optional()
      .openapi({
        description: 'One entry per problem with a field (dotted path into the body or query).',
      }),
  })
  .openapi('Problem');

const codeList = (codes: readonly string[]) => codes.map((code) => `\`${code}\``).join(', ');

/** The description of an error status: what it means and every code it carries. */
export function statusDescription(
  status: ProblemStatus,
  codes: readonly string[] = codesOf(status),
): string {
  const meaning: Record<ProblemStatus, string> = {
    400: 'The request is malformed or invalid',
    401: 'Missing or invalid bearer token',
    403: 'Your roles lack the permission this route needs (see `x-permission`), or a cookie-carrying request failed the CSRF origin check',
    404: 'No such resource in your tenant; malformed ids answer the same',
    409: 'Conflicts with the state of the resource, or the same `Idempotency-Key` is still being processed (retry after `Retry-After`)',
    412: '`If-Match` is stale; nothing was written',
    413: 'The body is larger than 256 KiB',
    415: 'The body is not `application/json`',
    422: 'Refused by the ledger: a business rule, a body reference that names nothing, or an `Idempotency-Key` reused with another body',
    426: 'The route needs a WebSocket upgrade (`Upgrade: websocket`)',
    429: 'A rate limit is exhausted (the problem names which); retry after `Retry-After` seconds',
    500: 'The request failed unexpectedly; quote the request id',
    503: 'The read model is unavailable and nothing usable is cached (or only an answer older than `STALE_MAX_AGE_S`), or a dependency is down (retry after `Retry-After`)',
    504: 'The request took too long and was abandoned; retry writes with the same `Idempotency-Key`',
  };
  return `${meaning[status]}. Codes: ${codeList(codes)}.`;
}

const problem = (status: ProblemStatus) => ({
  description: statusDescription(status),
  content: { 'application/problem+json': { schema: Problem } },
});

/** Errors of a read. */
export const readErrors = {
  400: problem(400),
  401: problem(401),
  403: problem(403),
  404: problem(404),
} as const;

/** Errors of a command that creates a resource. */
export const createErrors = {
  400: problem(400),
  401: problem(401),
  403: problem(403),
  409: problem(409),
  415: problem(415),
  422: problem(422),
} as const;

/** Errors of a command on an existing resource. */
export const changeErrors = { ...createErrors, 404: problem(404), 412: problem(412) } as const;
