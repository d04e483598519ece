/** Small pieces shared by every route definition. */
import { z } from '@hono/zod-openapi';

/** A required JSON request body. */
export const jsonBody = <S extends z.ZodType>(schema: S) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** An optional JSON request body (absent means `{}`). */
export const optionalJsonBody = <S extends z.ZodType>(schema: S) => ({
  required: false,
  content: { 'application/json': { schema } },
});

/**
 * The body of an action that takes none (`…/deactivate`, `…/issue`): absent, empty or `{}`.
 * Anything else is refused (400 `validation_failed`, one error per key), never ignored.
 */
export const noBody = () =>
  optionalJsonBody(
    z.strictObject({}).openapi('NoBody', {
      description: 'This action takes no body: send none, or `{}`.',
      maxProperties: 0,
    }),
  );

const header = (description: string) => ({ description, schema: { type: 'string' as const } });

const resourceHeaders = {
  ETag: header('The resource version, e.g. `"3"`; send it back in `If-Match`'),
  'X-Ledger-Position': header("The tenant's ledger position after this request"),
};

const writeHeaders = {
  ...resourceHeaders,
  'Idempotent-Replayed': header(
    '`true` when this is the stored response of an earlier request with the same key',
  ),
};

/** Headers of an answer from the versioned read cache (lists, reports, search). */
const cachedHeaders = {
  'X-Cache': {
    description:
      'How the answer was served: `HIT`, `MISS`, `BYPASS` (cache off or `Cache-Control: no-cache`) or `STALE` (the database was down: an older answer)',
    schema: { type: 'string' as const, enum: ['HIT', 'MISS', 'BYPASS', 'STALE'] },
  },
  'X-Read-Model-Position': header('The ledger position the read model had reached for this answer'),
  Age: {
    description:
      'Only with `X-Cache: STALE`: how long, in whole seconds, the answer may be behind the ledger (RFC 9111), at most `STALE_MAX_AGE_S` (default 10); an older answer is refused with 503 `read_model_stale`',
    schema: { type: 'integer' as const, minimum: 0 },
  },
};

const HEADERS = {
  plain: undefined,
  read: resourceHeaders,
  write: writeHeaders,
  create: { ...writeHeaders, Location: header('URL of the created resource') },
  cached: cachedHeaders,
  page: { ...cachedHeaders, Link: header('`<url>; rel="next"` when there is a next page') },
} as const;

/** A JSON success response; `kind` says which headers come with it. */
export const jsonResponse = <S extends z.ZodType>(
  description: string,
  schema: S,
  kind: keyof typeof HEADERS = 'write',
) => ({
  description,
  ...(HEADERS[kind] ? { headers: HEADERS[kind] } : {}),
  content: { 'application/json': { schema } },
});
