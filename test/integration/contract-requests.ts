/**
 * A request per draw for the contract test: an operation of the document, values for its
 * parameters and body generated from their schemas (real ids from the seeded books most of
 * the time), an Accept-Encoding, and one mutation (or none).
 */
import fc from 'fast-check';
import {
  acceptEncodings,
  arbitrary,
  MUTATIONS,
  mutateBody,
  type GenRequest,
  type IdPool,
  type Mutation,
  type Op,
  type Schema,
} from './contract-arbitraries';

export interface Tokens {
  admin: string;
  viewer: string;
}

/** The collection of a path (`/v1/customers/{id}` → `customers`). */
const collectionOf = (path: string): string => path.split('/')[2] ?? '';

/** Real ids for a body field or query parameter, by its name. */
function idsFor(pool: IdPool): (field: string) => string[] {
  return (field) => {
    if (field === 'customerId') return pool.customers ?? [];
    if (field === 'vendorId') return pool.vendors ?? [];
    if (field === 'invoiceId') return pool.invoices ?? [];
    if (
      /accountid$|^parentid$|^(receivable|revenue|taxPayable|cash|unappliedPayments)$/i.test(field)
    )
      return pool.accounts ?? [];
    if (field === 'streamId') return (pool.customers ?? []).map((id) => `customer:${id}`);
    return [];
  };
}

function build(
  o: Op,
  values: {
    params: Record<string, unknown>;
    body: unknown;
    accept: string | undefined;
    mutation: Mutation;
    randomId: string;
    required: readonly string[];
  },
  tokens: Tokens,
): GenRequest {
  const { op } = o;
  const params = op.parameters ?? [];
  const headers: Record<string, string> = {};
  const m = values.mutation;
  let path = o.path;
  const query = new URLSearchParams();
  for (const p of params) {
    const v = values.params[p.name];
    if (p.in === 'path')
      path = path.replace(
        `{${p.name}}`,
        encodeURIComponent(m === 'random-id' ? values.randomId : String(v)),
      );
    else if (v !== undefined && p.in === 'query') query.set(p.name, String(v));
    else if (v !== undefined && p.in === 'header') headers[p.name] = String(v);
  }
  if (headers['If-Match'] !== undefined)
    headers['If-Match'] =
      m === 'bad-if-match' ? 'three' : m === 'stale-if-match' ? '"999999"' : '*';
  if (
    'Idempotency-Key' in headers ||
    params.some((p) => p.name === 'Idempotency-Key' && p.required)
  ) {
    headers['Idempotency-Key'] =
      m === 'bad-idempotency-key' ? 'bad key with spaces' : crypto.randomUUID();
    if (m === 'no-idempotency-key') delete headers['Idempotency-Key'];
  }
  if (m === 'unknown-query') query.set('bogus', '1');
  if (m === 'bad-query') query.set('limit', '0');
  if (m === 'bad-min-position') headers['X-Min-Position'] = '-1';
  if (m !== 'no-token' && o.path.startsWith('/v1/'))
    headers.Authorization = `Bearer ${m === 'viewer-token' ? tokens.viewer : tokens.admin}`;
  if (values.accept !== undefined) headers['Accept-Encoding'] = values.accept;
  const content = op.requestBody?.content?.['application/json']?.schema;
  let body: string | undefined;
  if (content) {
    body = mutateBody(values.body, m, values.required);
    headers['Content-Type'] = m === 'text-plain' ? 'text/plain' : 'application/json';
  }
  const qs = query.toString();
  return { op: o, url: `${path}${qs ? `?${qs}` : ''}`, headers, body, mutation: m };
}

/** Draws requests for every operation of the document. */
export function requestArbitrary(
  ops: Op[],
  components: Record<string, Schema>,
  pool: IdPool,
  tokens: Tokens,
): fc.Arbitrary<GenRequest> {
  const ids = idsFor(pool);
  // One arbitrary per operation, built on its first draw: building them from the schemas
  // (regular expressions into generators above all) cost more than drawing from them when it
  // ran for every draw. Building draws nothing, so the seed gives the same requests.
  const built = new Map<Op, fc.Arbitrary<GenRequest>>();
  return fc.constantFrom(...ops).chain((o) => {
    let arb = built.get(o);
    if (arb === undefined) {
      arb = opArbitrary(o, components, pool, ids, tokens);
      built.set(o, arb);
    }
    return arb;
  });
}

/** Draws requests for one operation. */
function opArbitrary(
  o: Op,
  components: Record<string, Schema>,
  pool: IdPool,
  ids: (field: string) => string[],
  tokens: Tokens,
): fc.Arbitrary<GenRequest> {
  const params: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const p of o.op.parameters ?? []) {
    if (p.name === 'Idempotency-Key' || p.name === 'If-Match') {
      params[p.name] = fc.constant('set');
      if (p.required || p.name === 'If-Match') required.push(p.name);
      continue;
    }
    const pathIds = p.in === 'path' ? (pool[collectionOf(o.path)] ?? []) : ids(p.name);
    const schema = p.schema ?? { type: 'string' };
    const value =
      pathIds.length > 0
        ? fc.oneof(
            { arbitrary: fc.constantFrom(...pathIds), weight: 4 },
            { arbitrary: arbitrary(schema, components), weight: 1 },
          )
        : arbitrary(schema, components, ids, p.name);
    // A header value is visible ASCII (HTTP cannot carry the rest; the runtime refuses to send it).
    params[p.name] =
      p.in === 'header'
        ? value.map((v) => String(v).trim()).filter((v) => /^[\x21-\x7e]*$/.test(v))
        : value;
    if (p.required) required.push(p.name);
  }
  const bodySchema = o.op.requestBody?.content?.['application/json']?.schema;
  const resolved = bodySchema?.$ref
    ? components[String(bodySchema.$ref).split('/').pop() ?? '']
    : bodySchema;
  return fc
    .record({
      required: fc.constant<string[]>((resolved?.required as string[] | undefined) ?? []),
      params: fc.record(params, { requiredKeys: required }),
      body: bodySchema ? arbitrary(bodySchema, components, ids) : fc.constant(undefined),
      accept: acceptEncodings,
      mutation: fc.constantFrom(...MUTATIONS),
      randomId: fc.stringMatching(/^[a-z]{3}_[A-Za-z0-9]{8}$/),
    })
    .map((values) => build(o, values, tokens));
}
