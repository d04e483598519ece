/**
 * Conventions every write follows: Idempotency-Key on POST, If-Match on changes, tenant
 * isolation, malformed ids and bodies. Read it as the "how to write" chapter of the manual.
 */
import { describe, expect, it } from 'vitest';
import { eventsAfter, openBooks, positionOf } from '../fixtures/books';
import {
  call,
  expectJson,
  expectProblem,
  get,
  key,
  patch,
  post,
  token,
  uniqueTenant,
} from '../fixtures/http';

describe('Idempotency-Key', () => {
  it('a retry with the same key and body replays the first response and writes nothing new', async () => {
    const { t } = await openBooks();
    const before = await positionOf(t);
    const k = key();
    const first = await post(
      t,
      '/v1/customers',
      { name: 'Globex', taxId: 'DE123' },
      { 'Idempotency-Key': k },
    );
    const firstBody = await expectJson(first, 201);
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    // Same content, other key order and spacing: still the same request.
    const again = await call('/v1/customers', {
      method: 'POST',
      token: t,
      rawBody: '{ "taxId": "DE123",   "name": "Globex" }',
      headers: { 'Idempotency-Key': k, 'Content-Type': 'application/json' },
    });
    expect(await expectJson(again, 201)).toEqual(firstBody);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.headers.get('ETag')).toBe(first.headers.get('ETag'));
    expect(again.headers.get('Location')).toBe(`/v1/customers/${firstBody.id}`);
    const events = await eventsAfter(t, before);
    expect(events.map((e) => e.type)).toEqual(['customer.created']);
  });

  it('the same key with another body, or on another route, is refused with 422', async () => {
    const { t, customerId } = await openBooks();
    const k = key();
    await expectJson(
      await post(t, '/v1/vendors', { name: 'Initech' }, { 'Idempotency-Key': k }),
      201,
    );
    const before = await positionOf(t);
    await expectProblem(
      await post(t, '/v1/vendors', { name: 'Initrode' }, { 'Idempotency-Key': k }),
      422,
      'idempotency_key_reused',
    );
    await expectProblem(
      await post(t, `/v1/customers/${customerId}/deactivate`, undefined, { 'Idempotency-Key': k }),
      422,
      'idempotency_key_reused',
    );
    expect(await positionOf(t)).toBe(before);
  });

  it('is required on every POST (400 idempotency_key_required) and nothing is written', async () => {
    const { t, customerId } = await openBooks();
    const before = await positionOf(t);
    const routes: Array<[string, unknown]> = [
      ['/v1/accounts', { code: '7000', name: 'Misc', type: 'expense' }],
      ['/v1/journal-entries', { date: '2025-01-01', currency: 'USD', lines: [] }],
      ['/v1/journal-entries/je_x1/reverse', undefined],
      ['/v1/invoices', {}],
      ['/v1/invoices/inv_x1/issue', undefined],
      ['/v1/invoices/inv_x1/void', undefined],
      ['/v1/payments', {}],
      ['/v1/payments/pay_x1/allocations', {}],
      ['/v1/customers', { name: 'x' }],
      [`/v1/customers/${customerId}/deactivate`, undefined],
      ['/v1/vendors', { name: 'x' }],
      ['/v1/vendors/ven_x1/deactivate', undefined],
      ['/v1/accounts/acc_x1/deactivate', undefined],
    ];
    for (const [path, body] of routes) {
      const res = await post(t, path, body, { 'Idempotency-Key': '' });
      await expectProblem(res, 400, 'idempotency_key_required');
    }
    expect(await positionOf(t)).toBe(before);
  });

  it('must be 1..255 visible ASCII characters (400 invalid_idempotency_key)', async () => {
    const { t } = await openBooks();
    for (const bad of ['x'.repeat(256), 'has space', 'tab\tkey', '"quoted key"']) {
      const headers = new Headers({
        'Content-Type': 'application/json',
        Authorization: `Bearer ${t}`,
      });
      headers.set('Idempotency-Key', bad);
      const res = await call('/v1/customers', {
        method: 'POST',
        rawBody: '{"name":"x"}',
        headers: Object.fromEntries(headers),
      });
      await expectProblem(res, 400, 'invalid_idempotency_key');
    }
    await expectJson(
      await post(t, '/v1/customers', { name: 'x' }, { 'Idempotency-Key': 'a'.repeat(255) }),
      201,
    );
  });
});

describe('If-Match', () => {
  it('accepts "N", W/"N", a bare N and *; every change bumps the ETag', async () => {
    const { t, customerId } = await openBooks();
    const path = `/v1/customers/${customerId}`;
    const read = await get(t, path);
    expect(read.headers.get('ETag')).toBe('"1"');
    const v2 = await patch(t, path, { name: 'Acme 2' }, '"1"');
    expect((await expectJson(v2, 200)).name).toBe('Acme 2');
    expect(v2.headers.get('ETag')).toBe('"2"');
    await expectJson(await patch(t, path, { name: 'Acme 3' }, 'W/"2"'), 200);
    await expectJson(await patch(t, path, { name: 'Acme 4' }, '3'), 200);
    const star = await patch(t, path, { name: 'Acme 5' }, '*');
    await expectJson(star, 200);
    expect(star.headers.get('ETag')).toBe('"5"');
  });

  it('a stale version answers 412 version_mismatch and nothing is written', async () => {
    const { t, customerId } = await openBooks();
    const path = `/v1/customers/${customerId}`;
    await expectJson(await patch(t, path, { name: 'Renamed' }, '"1"'), 200);
    const before = await positionOf(t);
    await expectProblem(
      await patch(t, path, { name: 'Lost update' }, '"1"'),
      412,
      'version_mismatch',
    );
    await expectProblem(
      await post(t, `${path}/deactivate`, undefined, { 'If-Match': '"1"' }),
      412,
      'version_mismatch',
    );
    expect(await positionOf(t)).toBe(before);
    const current = await expectJson(await get(t, path), 200);
    expect(current).toMatchObject({ name: 'Renamed', active: true });
  });

  it('anything else is 400 invalid_if_match', async () => {
    const { t, customerId } = await openBooks();
    for (const bad of ['abc', '"x"', '"1', '1.5', '-1', '"1", "2"']) {
      await expectProblem(
        await patch(t, `/v1/customers/${customerId}`, { name: 'x' }, bad),
        400,
        'invalid_if_match',
      );
    }
  });
});

describe('tenant isolation and ids', () => {
  it("tenant B never sees or changes tenant A's resources: 404 like an unknown id", async () => {
    const a = await openBooks();
    const b = await token({ tenant: uniqueTenant() });
    const path = `/v1/customers/${a.customerId}`;
    await expectProblem(await get(b, path), 404, 'customer_not_found');
    await expectProblem(await patch(b, path, { name: 'Hijack' }), 404, 'customer_not_found');
    await expectProblem(await post(b, `${path}/deactivate`), 404, 'customer_not_found');
    expect(await expectJson(await get(a.t, path), 200)).toMatchObject({
      name: 'Acme Ltd',
      active: true,
    });
  });

  it('malformed and unknown ids both answer 404 <kind>_not_found with the same detail', async () => {
    const { t } = await openBooks();
    const unknown = await expectProblem(
      await get(t, '/v1/invoices/inv_doesnotexist'),
      404,
      'invoice_not_found',
    );
    for (const bad of [
      'not-an-id',
      'INV_1',
      'inv_',
      `inv_${'x'.repeat(80)}`,
      'inv_a%20b',
      "inv_1'--",
    ]) {
      const res = await get(t, `/v1/invoices/${bad}`);
      expect((await expectProblem(res, 404, 'invoice_not_found')).detail).toBe(unknown.detail);
    }
    await expectProblem(await post(t, '/v1/invoices/bogus/issue'), 404, 'invoice_not_found');
    await expectProblem(
      await patch(t, '/v1/accounts/%00', { name: 'x' }),
      404,
      'account_not_found',
    );
  });

  it('requires a bearer token under /v1', async () => {
    const res = await call('/v1/accounts', {
      method: 'POST',
      body: { code: '7000' },
      headers: { 'Idempotency-Key': key() },
    });
    await expectProblem(res, 401, 'unauthorized');
  });
});

describe('request bodies', () => {
  it('malformed JSON is 400 malformed_json; a non-JSON body is 415', async () => {
    const { t } = await openBooks();
    const headers = { 'Idempotency-Key': key(), 'Content-Type': 'application/json' };
    await expectProblem(
      await call('/v1/accounts', { method: 'POST', token: t, rawBody: '{"code": "7', headers }),
      400,
      'malformed_json',
    );
    const form = { 'Idempotency-Key': key(), 'Content-Type': 'text/plain' };
    await expectProblem(
      await call('/v1/accounts', { method: 'POST', token: t, rawBody: 'code=7', headers: form }),
      415,
      'unsupported_media_type',
    );
  });

  it('a body that is not an object, or is missing, is 400 validation_failed', async () => {
    const { t } = await openBooks();
    for (const body of [[], 'text', 42, null]) {
      const problem = await expectProblem(
        await post(t, '/v1/vendors', body),
        400,
        'validation_failed',
      );
      expect(problem.errors).toEqual([{ path: '', message: 'must be a JSON object' }]);
    }
    const missing = await expectProblem(await post(t, '/v1/vendors'), 400, 'validation_failed');
    expect(missing.errors).toEqual([{ path: 'name', message: 'is required' }]);
  });
});
