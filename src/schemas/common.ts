/**
 * Building blocks of the request and response schemas: field types with client-facing
 * messages (the same wording as the domain's), path parameters, write headers and the
 * problem document. Request objects are strict: an unknown key is a 400.
 */
import { z } from '@hono/zod-openapi';
import { isIsoDate } from '../domain/dates';
import { exactScaled } from './decimal';

type Issue = { input?: unknown };

/** "is required" when the key is missing, `message` when the value has the wrong type. */
const typed = (message: string) => (issue: Issue) =>
  issue.input === undefined ? 'is required' : message;

/** Required text of 1..max characters (the domain trims it). */
export const text = (max: number) =>
  z
    .string({ error: typed('must be a string') })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

/** Optional text: missing keeps the current value, `null` clears it. */
export const optText = (max: number) => text(max).nullable().optional();

/** A reference to another resource in the body (existence is the ledger's business). */
export const Ref = z
  .string({ error: typed('must be an id') })
  .min(1, 'must be an id')
  .max(100, 'must be an id');

/** An integer number of minor units (sign and range are checked by the domain: 422). */
export const Money = z
  .number({ error: typed('must be an integer number of minor units') })
  .int('must be an integer number of minor units')
  .openapi({ description: 'Integer minor units (cents)', example: 12500 });

/** ISO 4217 alphabetic code. */
export const Currency = z
  .string({ error: typed('must be a three-letter ISO 4217 currency code') })
  .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 currency code')
  .openapi({ example: 'USD' });

/** An accounting date, `YYYY-MM-DD`, checked against the calendar. */
export const IsoDate = z
  .string({ error: typed('must be a valid date (YYYY-MM-DD)') })
  .refine(isIsoDate, 'must be a valid date (YYYY-MM-DD)')
  .openapi({ format: 'date', example: '2025-03-31' });

/** A positive decimal with at most `scale` fractional digits, up to `max`. */
export const decimal = (scale: number, min: { value: number; inclusive: boolean }, max: number) =>
  z
    .number({ error: typed('must be a number') })
    .refine(
      (n) => (min.inclusive ? n >= min.value : n > min.value),
      `must be ${min.inclusive ? 'at least' : 'greater than'} ${min.value}`,
    )
    .refine((n) => n <= max, `must be at most ${max}`)
    .refine((n) => exactScaled(n, scale) !== null, `must have at most ${scale} decimal places`)
    // Not `multipleOf`: 10^-scale has no exact binary form, so JSON Schema validators refuse
    // exact decimals such as 8.875 against it. The scale is stated in words instead.
    .openapi({
      type: 'number',
      'x-decimal-places': scale,
      ...(min.inclusive ? { minimum: min.value } : { exclusiveMinimum: min.value }),
      maximum: max,
    });

/** Ids as the ledger generates them: a 2–4 letter prefix, `_`, then up to 64 id characters. */
export const ID_PATTERN = /^[a-z]{2,4}_[A-Za-z0-9_-]{1,64}$/;

/** `{id}` in the path; a malformed id answers 404 like an unknown one. */
export const IdParams = z.object({
  id: z
    .string()
    .regex(ID_PATTERN)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'inv_01J9Z3K4QX' }),
});

/** `Idempotency-Key`: 1..255 visible ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;

/** `If-Match`: `"N"`, `W/"N"`, a bare `N`, or `*` (no version check). */
export const IF_MATCH = /^(?:(?:W\/)?"(\d{1,15})"|(\d{1,15})|\*)$/;

const idempotencyKey = z.string().regex(IDEMPOTENCY_KEY).openapi({
  description:
    'A retry with the same key and body replays the first response (`Idempotent-Replayed: true`); the same key with another body is refused (422).',
  example: '6f1c2a9e-1b7d-4c1e-9d55-0c2f3b7a8e41',
});

const ifMatch = z.string().regex(IF_MATCH).optional().openapi({
  description:
    'The ETag you last saw (`"3"`). A stale version is refused with 412 and nothing is written.',
  example: '"3"',
});

/** Headers of a POST that creates a resource. */
export const CreateHeaders = z.object({ 'Idempotency-Key': idempotencyKey });

/** Headers of a POST that changes an existing resource. */
export const ChangeHeaders = z.object({ 'Idempotency-Key': idempotencyKey, 'If-Match': ifMatch });

/** Headers of a PATCH: `Idempotency-Key` is optional there. */
export const PatchHeaders = z.object({
  'Idempotency-Key': idempotencyKey.optional().openapi({
    description:
      'Optional on PATCH. When sent, a retry with the same key and body replays the first response (`Idempotent-Replayed: true`); the same key with another body is refused (422).',
    example: '6f1c2a9e-1b7d-4c1e-9d55-0c2f3b7a8e41',
  }),
  'If-Match': ifMatch,
});

/** Headers of a read served from the versioned cache: `X-Min-Position` (read-your-writes). */
export const CachedReadHeaders = z.object({
  'X-Min-Position': z
    .string()
    .regex(/^\s*\d{1,15}\s*$/)
    .optional()
    .openapi({
      description:
        'A ledger position (`X-Ledger-Position` of a write) the answer must include: the read waits briefly for the read model to reach it, else answers 503 `read_model_behind`. Not needed for your own writes through the same isolate (they are included by default); send it when a read may land elsewhere.',
      example: '42',
    }),
  'X-Consistency': z.enum(['session', 'eventual']).optional().openapi({
    description:
      '`session` (the default): the answer includes every write acknowledged to you by this isolate that can change it, waiting briefly for the read model if needed. `eventual`: answer from what is cached now (at most `CACHE_VERSION_TTL_MS`, 1 s, behind), without waiting for your own writes — for readers that do not need them, e.g. a dashboard polled while a job writes. `X-Min-Position` is honoured either way.',
    example: 'eventual',
  }),
});

/** Refinement of PATCH bodies: they must change something (checked only once the fields are valid). */
export const nonEmpty = [
  (o: object) => Object.keys(o).length > 0,
  {
    message: 'must change at least one field',
    when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0,
  },
] as const;
