/**
 * What a failed zod validation answers. Bodies and queries: 400 `validation_failed` with one
 * `{ path, message }` per problem (dotted paths relative to the body). Path parameters: 404,
 * exactly like an unknown id, so a malformed id reveals nothing. Write headers get their own
 * codes: `idempotency_key_required`, `invalid_idempotency_key`, `invalid_if_match`,
 * `invalid_min_position`, `invalid_consistency`.
 */
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import type { AppEnv } from '../env';
import type { EntityKind } from '../domain/state';
import { AppError, type FieldError } from '../errors';
import { notFound } from './resources';

type Issue = ZodError['issues'][number];

/** Flattens zod issues into field errors; unknown keys are listed one per key. */
export function fieldErrors(error: ZodError): FieldError[] {
  return error.issues.flatMap((issue: Issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...at, key].join('.'),
        message: 'is not a known field',
      }));
    }
    const root =
      at.length === 0 && issue.code === 'invalid_type' ? 'must be a JSON object' : issue.message;
    return [{ path: at.join('.'), message: root }];
  });
}

function headerProblem(error: ZodError, c: Context<AppEnv>): AppError {
  const header = String(error.issues[0]?.path[0] ?? '');
  if (header === 'Idempotency-Key') {
    return c.req.header('Idempotency-Key') === undefined
      ? new AppError({
          status: 400,
          code: 'idempotency_key_required',
          title: 'Bad request',
          detail: 'Send an Idempotency-Key header with every POST.',
        })
      : new AppError({
          status: 400,
          code: 'invalid_idempotency_key',
          title: 'Bad request',
          detail: 'Idempotency-Key must be 1 to 255 visible ASCII characters.',
        });
  }
  if (header === 'X-Consistency') {
    return new AppError({
      status: 400,
      code: 'invalid_consistency',
      title: 'Bad request',
      detail: 'X-Consistency must be session or eventual.',
    });
  }
  if (header === 'X-Min-Position') {
    return new AppError({
      status: 400,
      code: 'invalid_min_position',
      title: 'Bad request',
      detail: 'X-Min-Position must be a non-negative integer ledger position.',
    });
  }
  return new AppError({
    status: 400,
    code: 'invalid_if_match',
    title: 'Bad request',
    detail: 'If-Match must be an ETag such as "3".',
  });
}

/** Builds the validation hook of a router; malformed path ids answer `kind`'s 404. */
export function validationHook(kind?: EntityKind) {
  return (
    result: { success: true } | { success: false; error: ZodError; target: string },
    c: Context<AppEnv>,
  ): void => {
    if (result.success) return;
    if (result.target === 'param')
      throw kind
        ? notFound(kind)
        : new AppError({ status: 404, code: 'not_found', title: 'Not found' });
    if (result.target === 'header') throw headerProblem(result.error, c);
    const errors = fieldErrors(result.error);
    const first = errors[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new AppError({
      status: 400,
      code: 'validation_failed',
      title: 'Bad request',
      detail: first
        ? `${first.path || 'body'}: ${first.message}${more}`
        : 'The request is invalid.',
      errors,
    });
  };
}
