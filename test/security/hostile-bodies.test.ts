/**
 * Hostile input on every write surface: oversized, deeply nested, prototype-polluting keys,
 * control characters, SQL-looking text in every text field and query parameter, and
 * CR/LF or junk in header-borne ids. Every case answers 4xx problem+json, never 5xx, and a
 * refused request leaves no trace (no event, no idempotency record); legitimate text —
 * any Unicode, SQL-looking names — is stored and read back unchanged.
 */
import { describe, expect, it } from 'vitest';
import { draftInvoice, openBooks, positionOf, type Books } from '../fixtures/books';
import { call, expectJson, expectProblem, get, key, post } from '../fixtures/http';

const json = (
  t: string,
  method: string,
  path: string,
  rawBody: string,
  headers: Record<string, string> = {},
) =>
  call(path, {
    method,
    token: t,
    rawBody,
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key(), ...headers },
  });

const nested = (depth: number): string => `${'['.repeat(depth - 1)}"x"${']'.repeat(depth - 1)}`;

/** Runs `refusals`, then proves nothing was written: same ledger position, and the keys they used are still free. */
async function expectNoTrace(
  b: Books,
  refusals: (idempotencyKey: string) => Promise<void>,
): Promise<void> {
  const before = await positionOf(b.t);
  const reused = key();
  await refusals(reused);
  expect(await positionOf(b.t)).toBe(before);
  // The refused requests' Idempotency-Key was not recorded: a good request with it is a fresh 201.
  const res = await post(
    b.t,
    '/v1/customers',
    { name: 'After refusals' },
    { 'Idempotency-Key': reused },
  );
  expect(res.status).toBe(201);
  expect(res.headers.get('Idempotent-Replayed')).toBeNull();
}

describe('hostile bodies', () => {
  it('oversized and deeply nested bodies: 413 and 400 body_too_deep, nothing written', async () => {
    const b = await openBooks();
    await expectNoTrace(b, async (k) => {
      const big = await json(
        b.t,
        'POST',
        '/v1/invoices',
        JSON.stringify({ memo: 'x'.repeat(300 * 1024) }),
        { 'Idempotency-Key': k },
      );
      expect(await expectProblem(big, 413)).toMatchObject({ code: 'payload_too_large' });
      for (const depth of [33, 1000, 100_000]) {
        const res = await json(b.t, 'POST', '/v1/customers', `{"name":${nested(depth)}}`, {
          'Idempotency-Key': k,
        });
        expect(await expectProblem(res, 400, undefined, `depth ${depth}`)).toMatchObject({
          code: 'body_too_deep',
        });
      }
      // 32 levels is structurally fine; the schema then refuses the shape.
      const ok = await json(b.t, 'POST', '/v1/customers', `{"name":${nested(31)}}`, {
        'Idempotency-Key': k,
      });
      expect(await expectProblem(ok, 400)).toMatchObject({ code: 'validation_failed' });
    });
  });

  it('__proto__, constructor and prototype keys: 400 forbidden_key wherever they are, and no pollution', async () => {
    const b = await openBooks();
    const cases: Array<[string, string, string, string]> = [
      ['POST', '/v1/customers', '{"name":"x","__proto__":{"isAdmin":true}}', '__proto__'],
      [
        'POST',
        '/v1/customers',
        '{"name":"x","constructor":{"prototype":{"isAdmin":true}}}',
        'constructor',
      ],
      [
        'POST',
        '/v1/invoices',
        `{"customerId":"${b.customerId}","lines":[{"description":"a","prototype":1}]}`,
        'lines.0.prototype',
      ],
      [
        'PATCH',
        '/v1/settings',
        '{"accounts":{"__proto__":{"receivable":"acc_x"}}}',
        'accounts.__proto__',
      ],
      [
        'POST',
        '/v1/journal-entries',
        '{"lines":[{"accountId":"a","debit":1,"x":{"y":{"__proto__":null}}}]}',
        'lines.0.x.y.__proto__',
      ],
    ];
    await expectNoTrace(b, async (k) => {
      for (const [method, path, body, at] of cases) {
        const problem = await expectProblem(
          await json(b.t, method, path, body, { 'Idempotency-Key': k }),
          400,
          undefined,
          `${path} ${at}`,
        );
        expect(problem).toMatchObject({
          code: 'forbidden_key',
          errors: [{ path: at, message: 'is not allowed' }],
        });
      }
    });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('control characters and unpaired surrogates in text: 400 invalid_characters', async () => {
    const b = await openBooks();
    const bad = [
      'nul\\u0000byte',
      'bell\\u0007',
      'esc\\u001b[31mred',
      'del\\u007f',
      'lone\\ud800',
      'lone\\udfff',
      'vt\\u000b',
    ];
    await expectNoTrace(b, async (k) => {
      for (const text of bad) {
        const res = await json(b.t, 'POST', '/v1/customers', `{"name":"${text}"}`, {
          'Idempotency-Key': k,
        });
        expect(await expectProblem(res, 400, undefined, text)).toMatchObject({
          code: 'invalid_characters',
          errors: [{ path: 'name' }],
        });
      }
      const inKey = await json(b.t, 'POST', '/v1/customers', '{"name":"x","na\\u0000me":"y"}', {
        'Idempotency-Key': k,
      });
      expect(await expectProblem(inKey, 400)).toMatchObject({ code: 'invalid_characters' });
    });
  });

  it('any other Unicode is text: stored and read back unchanged', async () => {
    const b = await openBooks();
    const names = [
      'Zoë Åström',
      '株式会社テスト',
      '👩🏽‍💼 Ltd 🚀',
      '\u202Eevil.exe\u202C',
      'zero\u200Bwidth',
      'e\u0301 combining',
      'عربى',
      'tab\tinside',
      'two\nlines',
    ];
    for (const name of names) {
      const created = await expectJson(await post(b.t, '/v1/customers', { name }), 201);
      expect(created.name, JSON.stringify(name)).toBe(name);
      expect((await expectJson(await get(b.t, `/v1/customers/${created.id}`), 200)).name).toBe(
        name,
      );
    }
  });
});

const SQL = [
  "Robert'); DROP TABLE customers;--",
  "x' OR '1'='1",
  '1; SELECT pg_sleep(10)',
  "' UNION SELECT * FROM events --",
  '"; DELETE FROM ledger; --',
  '%27%20OR%201=1',
  "\\'; --",
  '$$; DROP SCHEMA public CASCADE; $$',
];

describe('SQL-looking text is just text', () => {
  it('round-trips unchanged through every text field of every resource', async () => {
    const b = await openBooks();
    for (const s of SQL) {
      const customer = await expectJson(
        await post(b.t, '/v1/customers', { name: s, taxId: s.slice(0, 50) }),
        201,
      );
      expect(await expectJson(await get(b.t, `/v1/customers/${customer.id}`), 200)).toMatchObject({
        name: s,
        taxId: s.slice(0, 50),
      });
      const vendor = await expectJson(await post(b.t, '/v1/vendors', { name: s }), 201);
      expect((await expectJson(await get(b.t, `/v1/vendors/${vendor.id}`), 200)).name).toBe(s);
      // Account codes have a syntax of their own (letters, digits, . - _): SQL there is refused, elsewhere stored.
      expect(
        (await post(b.t, '/v1/accounts', { code: s.slice(0, 20), name: 'x', type: 'expense' }))
          .status,
      ).toBe(400); // validation_failed: one status wherever it is found
      const account = await expectJson(
        await post(b.t, '/v1/accounts', {
          code: `X-${SQL.indexOf(s)}`,
          name: s,
          type: 'expense',
          description: s,
        }),
        201,
      );
      expect(await expectJson(await get(b.t, `/v1/accounts/${account.id}`), 200)).toMatchObject({
        name: s,
        description: s,
      });
      const je = await expectJson(
        await post(b.t, '/v1/journal-entries', {
          date: '2025-02-10',
          memo: s,
          currency: 'USD',
          lines: [
            { accountId: b.accounts.cash, debit: 100, description: s },
            { accountId: b.accounts.revenue, credit: 100 },
          ],
        }),
        201,
      );
      expect(await expectJson(await get(b.t, `/v1/journal-entries/${je.id}`), 200)).toMatchObject({
        memo: s,
        lines: [{ description: s }, {}],
      });
      const invoice = await draftInvoice(b, {
        memo: s,
        lines: [{ description: s, quantity: 1, unitAmount: 100, taxRate: 0 }],
      });
      expect(await expectJson(await get(b.t, `/v1/invoices/${invoice.id}`), 200)).toMatchObject({
        memo: s,
        lines: [{ description: s }],
      });
      const payment = await expectJson(
        await post(b.t, '/v1/payments', {
          customerId: b.customerId,
          amount: 100,
          currency: 'USD',
          date: '2025-03-10',
          method: 'bank_transfer',
          reference: s,
        }),
        201,
      );
      expect((await expectJson(await get(b.t, `/v1/payments/${payment.id}`), 200)).reference).toBe(
        s,
      );
    }
  });

  it('in query parameters and path ids: 4xx, never 5xx', async () => {
    const b = await openBooks();
    for (const s of SQL) {
      const q = encodeURIComponent(s);
      for (const path of [
        `/v1/events?after=${q}`,
        `/v1/events?limit=${q}`,
        `/v1/audit?streamId=${q}`,
        `/v1/audit?streamId=customer:${q}&after=${q}`,
        `/v1/customers/${q}`,
        `/v1/invoices/inv_${q}`,
      ]) {
        const res = await get(b.t, path);
        expect(res.status, `${path} ${res.status}`).toBeGreaterThanOrEqual(400);
        expect(res.status, path).toBeLessThan(500);
      }
    }
  });
});

describe('header-borne ids', () => {
  it('CR/LF cannot be sent in a header value at all (the runtime refuses to build it)', () => {
    for (const value of ['abc\r\nSet-Cookie: x=1', 'abc\nX-Evil: 1', 'abc\rdef']) {
      expect(() => new Headers({ 'X-Request-Id': value }), JSON.stringify(value)).toThrow(
        TypeError,
      );
      expect(() => new Headers({ 'Idempotency-Key': value })).toThrow(TypeError);
    }
  });

  it('encoded CR/LF, non-ASCII and header-looking X-Request-Ids are replaced, never echoed', async () => {
    for (const id of [
      'abc%0D%0ASet-Cookie:%20x=1',
      'abc Set-Cookie: x=1',
      'é-id',
      'a\tb',
      "1' OR '1'='1",
    ]) {
      const res = await call('/health', { headers: { 'X-Request-Id': id } });
      expect(res.status).toBe(200);
      expect(res.headers.get('X-Request-Id'), id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get('Set-Cookie')).toBeNull();
    }
  });

  it('malformed Idempotency-Key and If-Match: 400, nothing written', async () => {
    const b = await openBooks();
    await expectNoTrace(b, async () => {
      for (const k of ['a\tb', 'ключ', 'x'.repeat(256), ' ', '']) {
        const res = await call('/v1/customers', {
          method: 'POST',
          token: b.t,
          body: { name: 'x' },
          headers: { 'Idempotency-Key': k },
        });
        const problem = await expectProblem(res, 400, undefined, JSON.stringify(k));
        expect(['invalid_idempotency_key', 'idempotency_key_required']).toContain(problem.code);
      }
      for (const m of ['"1"\tx', 'W/"', '"1", "2"', "1' OR '1'='1"]) {
        const res = await call(`/v1/customers/${b.customerId}/deactivate`, {
          method: 'POST',
          token: b.t,
          headers: { 'Idempotency-Key': key(), 'If-Match': m },
        });
        expect(await expectProblem(res, 400, undefined, m)).toMatchObject({
          code: 'invalid_if_match',
        });
      }
    });
  });
});
