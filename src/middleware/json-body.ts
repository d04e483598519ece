/**
 * Guards request bodies on writes before any handler sees them: size limit (413), JSON
 * content type (415), well-formed JSON (400) and its shape (depth, forbidden keys: 400). The parsed body is cached by Hono, so
 * the zod validators downstream read it without parsing twice.
 */
import { createMiddleware } from 'hono/factory';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../env';
import { AppError } from '../errors';
import { checkJsonShape } from '../http/json-shape';

/** Largest accepted request body. An invoice with 200 lines is ~40 KiB. */
export const MAX_BODY_BYTES = 256 * 1024;

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new AppError({
      status: 413,
      code: 'payload_too_large',
      title: 'Payload too large',
      detail: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`,
    });
  },
});

export const requireJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (!WRITE_METHODS.has(c.req.method)) return next();
  const length = c.req.header('Content-Length');
  const hasBody = length !== undefined ? length !== '0' : c.req.raw.body !== null;
  // An empty body (no bytes, or only whitespace) reads as `{}` whatever its declared type:
  // an action without a body accepts it, a create answers which fields are required.
  const text = hasBody ? await c.req.text() : '';
  if (text.trim() === '') {
    c.req.bodyCache.json = Promise.resolve({});
    return next();
  }
  const type = c.req.header('Content-Type') ?? '';
  if (!/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new AppError({
      status: 415,
      code: 'unsupported_media_type',
      title: 'Unsupported media type',
      detail: 'Send the request body as application/json.',
    });
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError({
      status: 400,
      code: 'malformed_json',
      title: 'Malformed JSON',
      detail: 'The request body is not valid JSON.',
    });
  }
  checkJsonShape(body); // too deep or prototype-polluting keys: 400 before zod sees it
  await next();
});

/**
 * Both guards, as one middleware that a GET or HEAD (which carry no body) passes straight
 * through: most API traffic is reads, and each middleware layer costs every request that
 * reaches it (measured with scripts/bench/hitpath.mjs).
 */
export const guardBody = createMiddleware<AppEnv>((c, next) =>
  c.req.method === 'GET' || c.req.method === 'HEAD'
    ? next()
    : limitBody(c, async () => {
        await requireJsonBody(c, next);
      }),
);
