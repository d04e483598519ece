/**
 * Input hygiene and one status per code: actions without a body refuse one (instead of
 * ignoring it), C1 control characters are refused like C0, and each problem code answers
 * the same status wherever it comes from (zod or the domain, URL or body).
 */
import { describe, expect, it } from 'vitest';
import { draftInvoice, openBooks } from '../fixtures/books';
import { PROBLEM_STATUS } from '../../src/schemas/problem-codes';
import { call, expectJson, expectProblem, get, key, post } from '../fixtures/http';

describe('actions that take no body', () => {
  it('refuse a non-empty body with 400 and change nothing; no body, an empty body or {} is fine', async () => {
    const b = await openBooks();
    const path = `/v1/customers/${b.customerId}/deactivate`;
    const refused = await expectProblem(
      await post(b.t, path, { tenantId: 'someone-else', bogus: 1 }),
      400,
      'validation_failed',
    );
    expect(refused.errors).toEqual([
      { path: 'tenantId', message: 'is not a known field' },
      { path: 'bogus', message: 'is not a known field' },
    ]);
    expect(await expectJson(await get(b.t, `/v1/customers/${b.customerId}`), 200)).toMatchObject({
      active: true,
    });
    await expectProblem(await post(b.t, path, [1]), 400, 'validation_failed');
    expect(await expectJson(await post(b.t, path, {}), 200)).toMatchObject({ active: false });

    const other = await expectJson(
      await post(b.t, '/v1/customers', { name: 'Empty Body Ltd' }),
      201,
    );
    const empty = await call(`/v1/customers/${other.id}/deactivate`, {
      method: 'POST',
      token: b.t,
      rawBody: '',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key() },
    });
    expect(await expectJson(empty, 200)).toMatchObject({ active: false });
  });

  it('issue and account deactivation refuse a body too', async () => {
    const b = await openBooks();
    const draft = await draftInvoice(b);
    await expectProblem(
      await post(b.t, `/v1/invoices/${draft.id}/issue`, { status: 'paid' }),
      400,
      'validation_failed',
    );
    expect(await expectJson(await get(b.t, `/v1/invoices/${draft.id}`), 200)).toMatchObject({
      status: 'draft',
    });
    const account = await expectJson(
      await post(b.t, '/v1/accounts', { code: '6999', name: 'Spare', type: 'expense' }),
      201,
    );
    await expectProblem(
      await post(b.t, `/v1/accounts/${account.id}/deactivate`, { active: true }),
      400,
      'validation_failed',
    );
    expect(await expectJson(await post(b.t, `/v1/invoices/${draft.id}/issue`), 200)).toMatchObject({
      status: 'issued',
    });
  });
});

describe('control characters', () => {
  it.each(['a\u009bb', 'a\u0080', '\u009f', 'x\u0085y'])(
    'C1 %j is refused with invalid_characters',
    async (name) => {
      const b = await openBooks();
      const problem = await expectProblem(
        await post(b.t, '/v1/customers', { name }),
        400,
        'invalid_characters',
      );
      expect(problem.errors).toEqual([
        { path: 'name', message: 'contains characters that are not allowed' },
      ]);
    },
  );

  it('text just outside the C1 range is stored as sent', async () => {
    const b = await openBooks();
    expect(
      await expectJson(await post(b.t, '/v1/customers', { name: 'Caf\u00e9 \u00a0 ~\u007e' }), 201),
    ).toMatchObject({ name: 'Caf\u00e9 \u00a0 ~~' });
  });
});

describe('one code, one status', () => {
  it('validation_failed is 400 from zod and from the domain', async () => {
    const b = await openBooks();
    await expectProblem(await post(b.t, '/v1/customers', { name: '' }), 400, 'validation_failed');
    await expectProblem(
      await post(b.t, '/v1/customers', { name: '   ' }),
      400,
      'validation_failed',
    );
    await expectProblem(
      await post(b.t, '/v1/accounts', { code: '12 34', name: 'Bad code', type: 'asset' }),
      400,
      'validation_failed',
    );
  });

  it('an id in the URL that names nothing is 404 *_not_found; in the body it is 422 *_reference_invalid', async () => {
    const b = await openBooks();
    await expectProblem(await get(b.t, '/v1/customers/cus_nope'), 404, 'customer_not_found');
    const body = {
      customerId: 'cus_nope',
      currency: 'USD',
      issueDate: '2025-03-01',
      dueDate: '2025-03-31',
      lines: [{ description: 'x', quantity: 1, unitAmount: 1 }],
    };
    await expectProblem(await post(b.t, '/v1/invoices', body), 422, 'customer_reference_invalid');
    await expectProblem(
      await post(b.t, '/v1/payments', {
        customerId: 'cus_nope',
        amount: 100,
        currency: 'USD',
        date: '2025-03-02',
        method: 'bank_transfer',
      }),
      422,
      'customer_reference_invalid',
    );
  });

  it('customer_inactive is 422 on create, on PATCH and on issue', async () => {
    const b = await openBooks();
    const draft = await draftInvoice(b);
    await expectJson(await post(b.t, `/v1/customers/${b.customerId}/deactivate`), 200);
    await expectProblem(
      await post(b.t, `/v1/invoices/${draft.id}/issue`),
      422,
      'customer_inactive',
    );
    // A PATCH re-checks the whole draft, its customer included (docs/api.md).
    await expectProblem(
      await call(`/v1/invoices/${draft.id}`, {
        method: 'PATCH',
        token: b.t,
        body: { memo: 'late' },
      }),
      422,
      'customer_inactive',
    );
    const body = {
      customerId: b.customerId,
      currency: 'USD',
      issueDate: '2025-03-01',
      dueDate: '2025-03-31',
      lines: [{ description: 'x', quantity: 1, unitAmount: 1 }],
    };
    await expectProblem(await post(b.t, '/v1/invoices', body), 422, 'customer_inactive');
    expect(PROBLEM_STATUS.customer_inactive).toBe(422);
  });
});
