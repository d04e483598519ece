/**
 * The 503s of a cacheable read (src/cache/cached-read.ts): nothing in the cache could answer,
 * so each says `X-Cache: MISS` (and the request log records the same outcome), with
 * `Retry-After`.
 */
import type { AppContext } from '../env';
import { AppError } from '../errors';

function refusal(
  c: AppContext,
  init: { code: string; detail: string; retryAfter: string },
): AppError {
  c.set('cacheStatus', 'MISS');
  return new AppError({
    status: 503,
    code: init.code,
    title: 'Service unavailable',
    detail: init.detail,
    headers: { 'Retry-After': init.retryAfter, 'X-Cache': 'MISS' },
  });
}

/** Postgres cannot build the answer and nothing cached can stand in for it. */
export const unavailable = (c: AppContext) =>
  refusal(c, {
    code: 'read_model_unavailable',
    detail: 'Reports and lists are temporarily unavailable; writes are not affected.',
    retryAfter: '5',
  });

/** The read model has not reached the position the client (or the answer) needs. */
export const behind = (c: AppContext, position: number) =>
  refusal(c, {
    code: 'read_model_behind',
    detail: `The read model has not reached position ${position} yet; retry shortly.`,
    retryAfter: '1',
  });

/** The only answer at hand is STALE and older than `STALE_MAX_AGE_S` (src/cache/stale-age.ts). */
export const tooStale = (c: AppContext, maxAgeS: number) =>
  refusal(c, {
    code: 'read_model_stale',
    detail: `The read model is behind and the last cached answer is more than ${maxAgeS} s old; writes are not affected.`,
    retryAfter: '5',
  });
