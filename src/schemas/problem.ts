/** The RFC 9457 problem document and the error responses routes declare in OpenAPI. */
import { z } from '@hono/zod-openapi';

/** Every error response: `application/problem+json` with a stable `code`. */
export const Problem = z
  .object({
    type: z.string().openapi({ example: 'https://finance-edge.dev/problems/journal_unbalanced' }),
    title: z.string().openapi({ example: 'Unprocessable content' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string().openapi({ example: 'Debits and credits must balance in every currency.' }),
    code: z.string().openapi({ example: 'journal_unbalanced' }),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string().openapi({ example: 'lines.0.debit' }), message: z.string() }))
      .optional(),
  })
  .openapi('Problem');

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});

const e400 = problem('Invalid request: `validation_failed` (with `errors`), `malformed_json`, `idempotency_key_required`, `invalid_idempotency_key`, `invalid_if_match`');
const e401 = problem('Missing or invalid bearer token (`unauthorized`)');
const e403 = problem('Your roles lack the permission this route needs (`forbidden`; see `x-permission`)');
const e404 = problem('No such resource in your tenant (`<kind>_not_found`); malformed ids answer the same');
const e409 = problem('Conflicts with the resource state (e.g. `invoice_has_payments`), or `idempotency_key_in_flight`');
const e412 = problem('`If-Match` is stale (`version_mismatch`); nothing was written');
const e415 = problem('The body is not `application/json` (`unsupported_media_type`)');
const e422 = problem('Refused by the ledger: a business rule (e.g. `journal_unbalanced`, `period_locked`) or `idempotency_key_reused`');

/**
 * A cacheable read (list, report, search) that cannot be answered: 503 with `Retry-After` and
 * `X-Cache: MISS`.
 */
export const e503CachedRead = {
  ...problem(
    'The read model cannot answer now and nothing cached can: `read_model_unavailable` (Postgres down or overloaded; writes are not affected), ' +
      'or `read_model_behind` (it has not reached `X-Min-Position`, or holds less than the ledger delivered, e.g. after a restore, and is being rebuilt). Retry after `Retry-After`.',
  ),
  headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'string' as const } } },
};

/** Errors of a read. */
export const readErrors = { 400: e400, 401: e401, 403: e403, 404: e404 } as const;

/** Errors of a command that creates a resource. */
export const createErrors = { 400: e400, 401: e401, 403: e403, 409: e409, 415: e415, 422: e422 } as const;

/** Errors of a command on an existing resource. */
export const changeErrors = { ...createErrors, 404: e404, 412: e412 } as const;
