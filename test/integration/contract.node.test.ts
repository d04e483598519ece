/**
 * The API contract, tested from the outside: walks the served `/openapi.json`, generates
 * valid and mutated requests for every operation from its schemas (fast-check), sends them to
 * the Worker as built for deploy (Miniflare, PGlite behind the bridge: scripts/bench/stack.mjs)
 * and checks every answer against the document: no 5xx, the status is documented for that
 * operation, the body validates against the documented schema for that status and media type
 * (ajv, JSON Schema 2020-12), errors are problem+json whose `code` has that status
 * (src/schemas/problem-codes.ts), `X-Request-Id` always, and no `Content-Encoding` the
 * request did not accept. Bounded: CONTRACT_RUNS requests (default 1200), a fixed seed.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, prepare } from '../../scripts/bench/stack.mjs';
import { PROBLEM_STATUS } from '../../src/schemas/problem-codes';
import type { GenRequest, IdPool, Op, Operation, Schema } from './contract-arbitraries';
import { requestArbitrary, type Tokens } from './contract-requests';
import { rawRequest, type Wire } from './wire-client';

const RUNS = Number(process.env.CONTRACT_RUNS ?? 1200);
const CONCURRENCY = 8;
const SEED = Number(process.env.CONTRACT_SEED ?? 20261205);

type Answer = Wire;

type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Schema> };
};

let url = '';
let tokens: Tokens = { admin: '', viewer: '' };

const send = (
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Wire> => rawRequest(url + path, method, headers, body);

/**
 * Whether `Accept-Encoding` accepts `coding` (RFC 9110 q-values, `*`). The Worker itself
 * only ever gzips; the edge (and Miniflare, which emulates it) may re-encode as br for a
 * client that prefers br: also accepted.
 */
function accepts(header: string | undefined, coding: string): boolean {
  const q = new Map<string, number>();
  for (const part of (header ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const weight = params
      .map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1])
      .find((v) => v !== undefined);
    if (name) q.set(name, weight === undefined ? 1 : Number(weight));
  }
  return (q.get(coding) ?? q.get('*') ?? 0) > 0;
}

async function create(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await send(
    'POST',
    path,
    {
      authorization: `Bearer ${tokens.admin}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    JSON.stringify(body ?? {}),
  );
  if (res.status >= 300) throw new Error(`seeding ${path}: ${res.status} ${res.text}`);
  return JSON.parse(res.text) as Record<string, unknown>;
}

/** A few books to aim at: real ids make valid requests reach the ledger's rules, not only 404s. */
async function seed(): Promise<IdPool> {
  // The first write opens the books (default chart and settings).
  const customers = [
    await create('/v1/customers', { name: 'Contract Ltd' }),
    await create('/v1/customers', { name: 'Second Customer' }),
  ];
  const settings = JSON.parse(
    (await send('GET', '/v1/settings', { authorization: `Bearer ${tokens.admin}` })).text,
  ) as { accounts: Record<string, string> };
  const accounts = Object.values(settings.accounts);
  const vendors = [await create('/v1/vendors', { name: 'Contract Supplies' })];
  const invoice = (memo: string) =>
    create('/v1/invoices', {
      customerId: customers[0]?.id,
      currency: 'USD',
      issueDate: '2025-03-01',
      dueDate: '2025-03-31',
      memo,
      lines: [{ description: 'Work', quantity: 2, unitAmount: 5000 }],
    });
  const draft = await invoice('draft');
  const issued = await invoice('issued');
  await create(`/v1/invoices/${String(issued.id)}/issue`, {});
  const payment = await create('/v1/payments', {
    customerId: customers[0]?.id,
    amount: 1000,
    currency: 'USD',
    date: '2025-03-05',
    method: 'bank_transfer',
  });
  const entry = await create('/v1/journal-entries', {
    date: '2025-03-02',
    currency: 'USD',
    memo: 'seed',
    lines: [
      { accountId: settings.accounts.cash, debit: 100 },
      { accountId: settings.accounts.revenue, credit: 100 },
    ],
  });
  const ids = (list: Array<Record<string, unknown>>) => list.map((x) => String(x.id));
  return {
    accounts,
    customers: ids(customers),
    vendors: ids(vendors),
    invoices: ids([draft, issued]),
    payments: ids([payment]),
    'journal-entries': ids([entry]),
  };
}

/** Operations of the document, and a validator per (schema object). */
function contract(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats.default(ajv);
  // Refs inside the document point at `#/components/...`: served under the id `doc`.
  const rewritten = JSON.parse(
    JSON.stringify(doc).replaceAll('"#/components/', '"doc#/components/'),
  ) as Doc;
  ajv.addSchema({ $id: 'doc', components: rewritten.components });
  const cache = new Map<string, ValidateFunction>();
  const validator = (key: string, schema: Schema) => {
    let v = cache.get(key);
    if (!v)
      cache.set(
        key,
        (v = ajv.compile(
          JSON.parse(
            JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/'),
          ) as Schema,
        )),
      );
    return v;
  };
  const ops: Op[] = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method, path, op })),
  );
  return { ops, validator };
}

function check(
  doc: Doc,
  validator: (key: string, s: Schema) => ValidateFunction,
  req: GenRequest,
  res: Answer,
): string[] {
  const where = `${req.op.method.toUpperCase()} ${req.url} [${req.mutation}, Accept-Encoding ${req.headers['Accept-Encoding'] ?? 'none'}] → ${res.status}`;
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`${where}: 5xx ${res.text.slice(0, 300)}`);
  if (!res.headers['x-request-id']) problems.push(`${where}: no X-Request-Id`);
  const encoding = res.headers['content-encoding'];
  if (encoding !== undefined && !accepts(req.headers['Accept-Encoding'], String(encoding)))
    problems.push(`${where}: Content-Encoding ${String(encoding)} not accepted`);
  let documented = req.op.op.responses[String(res.status)] as Schema | undefined;
  if (!documented)
    return [...problems, `${where}: status not documented (${res.text.slice(0, 200)})`];
  if (documented.$ref)
    documented = doc.components.responses[String(documented.$ref).split('/').pop() ?? ''];
  const type =
    String(res.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim() ?? '';
  if (res.status >= 400 && type !== 'application/problem+json')
    problems.push(`${where}: error as ${type}`);
  const schema = (documented?.content as Record<string, { schema: Schema }> | undefined)?.[type]
    ?.schema;
  if (!schema)
    return [...problems, `${where}: media type ${type} not documented for ${res.status}`];
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    return [...problems, `${where}: body is not JSON`];
  }
  const validate = validator(`${req.op.op.operationId}:${res.status}:${type}`, schema);
  if (!validate(body))
    problems.push(
      `${where}: body does not match its schema: ${JSON.stringify(validate.errors?.slice(0, 2))} ${res.text.slice(0, 200)}`,
    );
  const code = (body as { code?: string }).code;
  if (res.status >= 400 && code !== undefined && PROBLEM_STATUS[code] !== res.status)
    problems.push(`${where}: code ${code} is documented as ${PROBLEM_STATUS[code]}`);
  // A 400 lists the codes this operation can give (src/schemas/document.ts): the code is one of them.
  if (
    res.status === 400 &&
    code !== undefined &&
    !String(documented?.description ?? '').includes(`\`${code}\``)
  )
    problems.push(`${where}: code ${code} not among the operation's 400 codes`);
  return problems;
}

beforeAll(async () => {
  const ctx = await prepare({ backend: 'pglite', log: () => {} });
  const tenant = `contract-${Date.now().toString(36)}`;
  tokens = { admin: await ctx.token(tenant), viewer: await ctx.token(tenant, ['viewer']) };
  url = String((await ctx.worker({})).url).replace(/\/$/, '');
}, 180_000);

afterAll(async () => {
  await cleanupAll();
});

describe('the served OpenAPI document is the contract', () => {
  it(`${RUNS} generated requests over every operation: no 5xx, only documented statuses and bodies`, async () => {
    const doc = JSON.parse((await send('GET', '/openapi.json', {})).text) as Doc;
    const pool = await seed();
    const { ops, validator } = contract(doc);
    expect(ops.length).toBeGreaterThan(25);
    const tGen = Date.now();
    const requests = fc.sample(requestArbitrary(ops, doc.components.schemas, pool, tokens), {
      numRuns: RUNS,
      seed: SEED,
    });
    const generationMs = Date.now() - tGen;
    const tSend = Date.now();
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    const seen = new Set<string>();
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const req = requests[next++] as GenRequest;
        let res: Answer;
        try {
          res = await send(req.op.method.toUpperCase(), req.url, req.headers, req.body);
        } catch (err) {
          problems.push(
            `${req.op.method.toUpperCase()} ${req.url} [${req.mutation}]: ${String(err)}`,
          );
          continue;
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status < 300) seen.add(req.op.op.operationId);
        problems.push(...check(doc, validator, req, res));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const sendingMs = Date.now() - tSend;
    console.log(
      `[contract] ${requests.length} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}, ${seen.size}/${ops.length} operations answered 2xx; generated in ${generationMs} ms, sent and checked in ${sendingMs} ms`,
    );
    expect(problems.slice(0, 15)).toEqual([]);
    // The generator reaches the happy path of most operations, not only their refusals.
    expect(seen.size).toBeGreaterThan(ops.length * 0.6);
  }, 170_000);
});
