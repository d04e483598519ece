/**
 * The one error boundary: known errors become RFC 9457 problem+json with a stable `code`;
 * anything else is logged with the request id and answered with a generic 500.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppContext } from './env';
import { log } from './log';

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemInit {
  status: ContentfulStatusCode;
  code: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
}

/** An error a handler or middleware throws on purpose; `code` is part of the API contract. */
export class AppError extends Error {
  readonly problem: ProblemInit;
  constructor(problem: ProblemInit) {
    super(problem.detail ?? problem.title);
    this.name = 'AppError';
    this.problem = problem;
  }
}

export const PROBLEM_TYPE_BASE = 'https://finance-edge.dev/problems/';

/** Builds a problem+json response carrying the request id. */
export function problem(c: AppContext, p: ProblemInit): Response {
  const requestId = c.get('requestId');
  c.set('problemCode', p.code);
  const body = {
    type: `${PROBLEM_TYPE_BASE}${p.code}`,
    title: p.title,
    status: p.status,
    detail: p.detail ?? p.title,
    code: p.code,
    requestId,
    ...(p.errors ? { errors: p.errors } : {}),
  };
  const headers = new Headers({ 'Content-Type': 'application/problem+json' });
  for (const [k, v] of Object.entries(p.headers ?? {})) headers.set(k, v);
  if (requestId) headers.set('X-Request-Id', requestId);
  return new Response(JSON.stringify(body), { status: p.status, headers });
}

/** Hono exceptions raised by its own middleware, mapped to stable codes. */
function fromHttpException(err: HTTPException): ProblemInit {
  const status = err.status as ContentfulStatusCode;
  if (status === 400 && /json/i.test(err.message)) {
    return {
      status,
      code: 'malformed_json',
      title: 'Malformed JSON',
      detail: 'The request body is not valid JSON.',
    };
  }
  if (status === 401) return { status, code: 'unauthorized', title: 'Unauthorized' };
  if (status === 413) return { status, code: 'payload_too_large', title: 'Payload too large' };
  if (status === 504) {
    return {
      status,
      code: 'timeout',
      title: 'Gateway timeout',
      detail:
        'The request took too long and was abandoned. Retry writes with the same Idempotency-Key.',
    };
  }
  // Any other client error Hono raises is a request the API cannot take: one stable code.
  if (status < 500)
    return {
      status: 400,
      code: 'validation_failed',
      title: 'Bad request',
      detail: 'The request is invalid.',
    };
  return {
    status: 500,
    code: 'internal_error',
    title: 'Internal server error',
    detail: 'The request failed unexpectedly. Quote the request id when reporting it.',
  };
}

export function onError(err: Error, c: AppContext): Response {
  if (err instanceof AppError) return problem(c, err.problem);
  if (err instanceof HTTPException) {
    const p = fromHttpException(err);
    if (p.status >= 500)
      log.error('http_exception', { requestId: c.get('requestId'), status: p.status });
    return problem(c, p);
  }
  log.error('unhandled_error', {
    requestId: c.get('requestId'),
    errorName: err.name,
    error: err.message,
  });
  return problem(c, {
    status: 500,
    code: 'internal_error',
    title: 'Internal server error',
    detail: 'The request failed unexpectedly. Quote the request id when reporting it.',
  });
}

export function notFound(c: AppContext): Response {
  return problem(c, {
    status: 404,
    code: 'not_found',
    title: 'Not found',
    detail: 'No resource or route matches this request.',
  });
}
