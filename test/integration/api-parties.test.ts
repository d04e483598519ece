/** `/v1/customers` and `/v1/vendors`: the same routes and rules for both. */
import { describe, expect, it } from 'vitest';
import { openBooks } from '../fixtures/books';
import { expectJson, expectProblem, get, patch, post } from '../fixtures/http';

describe.each([
  ['customers', 'customer', 'cus_'],
  ['vendors', 'vendor', 'ven_'],
] as const)('/v1/%s', (collection, kind, prefix) => {
  const base = `/v1/${collection}`;

  it('create → 201, GET, PATCH (null clears), deactivate', async () => {
    const { t } = await openBooks();
    const res = await post(t, base, {
      name: 'Wayne Enterprises',
      email: 'ap@wayne.example',
      taxId: 'US-99',
      defaultCurrency: 'EUR',
    });
    const party = await expectJson(res, 201);
    expect(party).toEqual({
      id: expect.stringMatching(new RegExp(`^${prefix}`)),
      name: 'Wayne Enterprises',
      email: 'ap@wayne.example',
      taxId: 'US-99',
      defaultCurrency: 'EUR',
      active: true,
    });
    expect(res.headers.get('Location')).toBe(`${base}/${party.id}`);
    expect(await expectJson(await get(t, `${base}/${party.id}`), 200)).toEqual(party);
    const updated = await expectJson(
      await patch(t, `${base}/${party.id}`, { email: null, taxId: 'US-100' }, '"1"'),
      200,
    );
    expect(updated).toMatchObject({
      name: 'Wayne Enterprises',
      email: null,
      taxId: 'US-100',
      defaultCurrency: 'EUR',
    });
    const off = await post(t, `${base}/${party.id}/deactivate`, undefined, { 'If-Match': '"2"' });
    expect(await expectJson(off, 200)).toMatchObject({ active: false });
    expect(off.headers.get('ETag')).toBe('"3"');
    await expectProblem(
      await post(t, `${base}/${party.id}/deactivate`),
      409,
      `${kind}_already_inactive`,
    );
  });

  it('validation → 400; unknown ids → 404', async () => {
    const { t } = await openBooks();
    const cases: Array<[unknown, string, string]> = [
      [{}, 'name', 'is required'],
      [{ name: 42 }, 'name', 'must be a string'],
      [{ name: 'x'.repeat(201) }, 'name', 'must be at most 200 characters'],
      [{ name: 'x', email: 'not-an-email' }, 'email', 'must be an e-mail address'],
      [
        { name: 'x', defaultCurrency: 'eur' },
        'defaultCurrency',
        'must be a three-letter ISO 4217 currency code',
      ],
      [{ name: 'x', phone: '555' }, 'phone', 'is not a known field'],
    ];
    for (const [body, path, message] of cases) {
      const problem = await expectProblem(await post(t, base, body), 400, 'validation_failed');
      expect(problem.errors, JSON.stringify(body)).toContainEqual({ path, message });
    }
    await expectProblem(await get(t, `${base}/${prefix}nope`), 404, `${kind}_not_found`);
    await expectProblem(
      await patch(t, `${base}/${prefix}nope`, { name: 'x' }),
      404,
      `${kind}_not_found`,
    );
    await expectProblem(
      await post(t, `${base}/${prefix}nope/deactivate`),
      404,
      `${kind}_not_found`,
    );
  });
});

it('an invoice for an inactive customer is refused (422 customer_inactive)', async () => {
  const b = await openBooks();
  await expectJson(await post(b.t, `/v1/customers/${b.customerId}/deactivate`), 200);
  const body = {
    customerId: b.customerId,
    currency: 'USD',
    issueDate: '2025-03-01',
    dueDate: '2025-03-31',
    lines: [{ description: 'x', quantity: 1, unitAmount: 1 }],
  };
  await expectProblem(await post(b.t, '/v1/invoices', body), 422, 'customer_inactive');
});
