/**
 * The one place a ledger refusal becomes an HTTP problem. The status is the code's one
 * status (src/schemas/problem-codes.ts: e.g. `validation_failed` is 400 whether zod or the
 * domain found it); a code missing there falls back on the refusal's kind: domain `invalid`
 * → 422, `not_found` → 404, `conflict` → 409. `idempotency_key_in_flight` comes with
 * `Retry-After`. `code`, the message (as `detail`) and field `errors` pass through unchanged.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type ProblemInit } from '../errors';
import { PROBLEM_STATUS } from '../schemas/problem-codes';
import type { ExecuteRefused, LedgerError } from './contract';

/** Title per status, as RFC 9457 suggests (a short summary that does not vary by occurrence). */
export const TITLES: Readonly<Partial<Record<ContentfulStatusCode, string>>> = {
  400: 'Bad request',
  404: 'Not found',
  409: 'Conflict',
  412: 'Precondition failed',
  422: 'Unprocessable content',
};

/** The status of a refusal. */
export function statusOf(error: LedgerError): ContentfulStatusCode {
  const known = PROBLEM_STATUS[error.code];
  if (known !== undefined) return known;
  switch (error.kind) {
    case 'invalid':
      return 422;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'precondition_failed':
      return 412;
    case 'idempotency':
      return error.code === 'idempotency_key_in_flight' ? 409 : 422;
    default:
      return 422;
  }
}

/** The problem for a refused command, carrying the ledger position. */
export function refusalProblem(refused: ExecuteRefused): AppError {
  const { error, position } = refused;
  const status = statusOf(error);
  const headers: Record<string, string> = { 'X-Ledger-Position': String(position) };
  if (error.code === 'idempotency_key_in_flight') headers['Retry-After'] = '1';
  const problem: ProblemInit = {
    status,
    code: error.code,
    title: TITLES[status] ?? 'Request refused',
    detail: error.message,
    headers,
  };
  if ('errors' in error && error.errors !== undefined && error.errors.length > 0)
    problem.errors = error.errors;
  return new AppError(problem);
}
