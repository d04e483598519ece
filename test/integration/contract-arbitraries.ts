/**
 * Requests generated from the OpenAPI document for the contract test (contract.node.test.ts):
 * JSON Schema (the subset the document uses) → fast-check arbitraries, a valid request per
 * operation, and the mutations that make it invalid in one way each.
 */
import fc from 'fast-check';

export type Schema = Record<string, unknown>;
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}
export interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses: Record<string, unknown>;
  'x-permission'?: string;
}
export interface Op {
  method: string;
  path: string;
  op: Operation;
}

/** One request to send: what the contract test needs to check the answer too. */
export interface GenRequest {
  op: Op;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** What was done to it (for failure messages). */
  mutation: string;
}

/** Real ids of the seeded books, by the collection or body field that holds them. */
export type IdPool = Record<string, string[]>;

const C1 = '\u009b';
const ACCEPT = [undefined, 'identity', 'gzip', 'br', 'gzip;q=0', 'br, gzip', '*', 'deflate'];

/** A JSON Schema (with `#/components/schemas/*` refs) as an arbitrary; `idFor` supplies real ids for id-like fields. */
export function arbitrary(
  schema: Schema,
  components: Record<string, Schema>,
  idFor: (field: string) => string[] = () => [],
  field = '',
): fc.Arbitrary<unknown> {
  const ref = schema.$ref as string | undefined;
  if (ref) return arbitrary(components[ref.split('/').pop() ?? ''] ?? {}, components, idFor, field);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key] as Schema[] | undefined;
    if (options) return fc.oneof(...options.map((s) => arbitrary(s, components, idFor, field)));
  }
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  const types = Array.isArray(schema.type)
    ? (schema.type as string[])
    : [schema.type as string | undefined];
  const arbs = types.map((type) => single(type, schema, components, idFor, field));
  return arbs.length === 1 ? (arbs[0] as fc.Arbitrary<unknown>) : fc.oneof(...arbs);
}

function single(
  type: string | undefined,
  schema: Schema,
  components: Record<string, Schema>,
  idFor: (field: string) => string[],
  field: string,
): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min =
        (schema.minimum as number | undefined) ??
        (schema.exclusiveMinimum !== undefined
          ? (schema.exclusiveMinimum as number) + (type === 'integer' ? 1 : 0.001)
          : -1_000_000);
      const max = (schema.maximum as number | undefined) ?? 10_000_000;
      return type === 'integer'
        ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'array': {
      const items = arbitrary((schema.items as Schema | undefined) ?? {}, components, idFor, field);
      return fc.array(items, {
        minLength: (schema.minItems as number | undefined) ?? 0,
        maxLength: Math.min((schema.maxItems as number | undefined) ?? 4, 4),
      });
    }
    case 'object':
      return objectArb(schema, components, idFor);
    case 'string':
      return stringArb(schema, idFor(field));
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectArb(
  schema: Schema,
  components: Record<string, Schema>,
  idFor: (field: string) => string[],
): fc.Arbitrary<unknown> {
  const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, s] of Object.entries(props)) record[key] = arbitrary(s, components, idFor, key);
  const optional = Object.keys(props).filter((k) => !required.has(k));
  return fc
    .record(record, { requiredKeys: [...required].filter((k) => k in props) })
    .filter(
      (o) =>
        optional.length === 0 ||
        Object.keys(o as object).length >= ((schema.minProperties as number | undefined) ?? 0),
    );
}

function stringArb(schema: Schema, ids: string[]): fc.Arbitrary<string> {
  const generated = (() => {
    if (schema.format === 'date')
      return fc
        .date({ min: new Date('2024-01-01'), max: new Date('2026-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    if (schema.format === 'email') return fc.emailAddress();
    if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern as string));
    return fc.string({
      minLength: (schema.minLength as number | undefined) ?? 0,
      maxLength: Math.min((schema.maxLength as number | undefined) ?? 40, 40),
    });
  })();
  const bounded = generated.filter(
    (s) =>
      s.length >= ((schema.minLength as number | undefined) ?? 0) &&
      s.length <= ((schema.maxLength as number | undefined) ?? Infinity),
  );
  return ids.length > 0
    ? fc.oneof({ arbitrary: fc.constantFrom(...ids), weight: 3 }, { arbitrary: bounded, weight: 1 })
    : bounded;
}

/** Mutations of a valid request; each makes it invalid (or unauthorised) in one way. */
export const MUTATIONS = [
  'none',
  'none',
  'none',
  'none',
  'none',
  'none',
  'drop-required',
  'unknown-field',
  'wrong-type',
  'malformed-json',
  'text-plain',
  'c1-text',
  'too-deep',
  'proto-key',
  'empty-body',
  'no-token',
  'viewer-token',
  'bad-idempotency-key',
  'no-idempotency-key',
  'bad-if-match',
  'stale-if-match',
  'unknown-query',
  'bad-query',
  'bad-min-position',
  'random-id',
  'huge-body',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** Applies `mutation` to a JSON body (parsed); strings are replaced wholesale. */
export function mutateBody(
  body: unknown,
  mutation: Mutation,
  required: readonly string[],
): string | undefined {
  const obj =
    body && typeof body === 'object' && !Array.isArray(body)
      ? { ...(body as Record<string, unknown>) }
      : {};
  switch (mutation) {
    case 'drop-required':
      if (required[0]) delete obj[required[0]];
      return JSON.stringify(obj);
    case 'unknown-field':
      return JSON.stringify({ ...obj, tenantId: 'someone-else' });
    case 'wrong-type': {
      const key = Object.keys(obj)[0] ?? 'name';
      return JSON.stringify({ ...obj, [key]: typeof obj[key] === 'number' ? 'x' : 12 });
    }
    case 'malformed-json':
      return '{"name": "x",';
    case 'c1-text':
      return JSON.stringify({ ...obj, name: `a${C1}b`, memo: `a${C1}b` });
    case 'too-deep':
      return JSON.stringify({
        ...obj,
        memo: JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown,
      });
    case 'proto-key':
      return `{"__proto__": {"admin": true}, ${JSON.stringify(obj).slice(1)}`.replace(', }', '}');
    case 'empty-body':
      return '';
    case 'huge-body':
      return JSON.stringify({ ...obj, memo: 'x'.repeat(300 * 1024) });
    default:
      return JSON.stringify(body);
  }
}

export const acceptEncodings = fc.constantFrom(...ACCEPT);
