/** `/v1/payments`: record, allocate later, and the over-allocation guard. */
import { describe, expect, it } from 'vitest';
import { issuedInvoice, openBooks, positionOf, type Books } from '../fixtures/books';
import { expectJson, expectProblem, get, post } from '../fixtures/http';

const payment = (b: Books, over: Record<string, unknown> = {}) => ({
  customerId: b.customerId,
  amount: 20_000,
  currency: 'USD',
  date: '2025-03-10',
  method: 'bank_transfer',
  reference: 'TX-1',
  ...over,
});

describe('payments', () => {
  it('record with an allocation → 201; the invoice becomes partially paid', async () => {
    const b = await openBooks();
    const invoice = await issuedInvoice(b); // total 11_000
    const res = await post(
      b.t,
      '/v1/payments',
      payment(b, { amount: 5_000, allocations: [{ invoiceId: invoice.id, amount: 5_000 }] }),
    );
    const paid = await expectJson(res, 201);
    expect(res.headers.get('Location')).toBe(`/v1/payments/${paid.id}`);
    expect(paid).toMatchObject({
      amount: 5_000,
      allocatedAmount: 5_000,
      unallocatedAmount: 0,
      method: 'bank_transfer',
      reference: 'TX-1',
    });
    expect(paid.allocations).toMatchObject([
      { invoiceId: invoice.id, amount: 5_000, date: '2025-03-10' },
    ]);
    expect(await expectJson(await get(b.t, `/v1/payments/${paid.id}`), 200)).toEqual(paid);
    expect(await expectJson(await get(b.t, `/v1/invoices/${invoice.id}`), 200)).toMatchObject({
      status: 'partially_paid',
      paidAmount: 5_000,
      balanceDue: 6_000,
    });
  });

  it('unallocated credit is applied later with POST /{id}/allocations (If-Match on the payment)', async () => {
    const b = await openBooks();
    const invoice = await issuedInvoice(b);
    const credit = await expectJson(await post(b.t, '/v1/payments', payment(b)), 201);
    expect(credit).toMatchObject({ allocatedAmount: 0, unallocatedAmount: 20_000 });
    const res = await post(
      b.t,
      `/v1/payments/${credit.id}/allocations`,
      { date: '2025-03-12', allocations: [{ invoiceId: invoice.id, amount: 11_000 }] },
      { 'If-Match': '"1"' },
    );
    expect(await expectJson(res, 200)).toMatchObject({
      allocatedAmount: 11_000,
      unallocatedAmount: 9_000,
    });
    expect(res.headers.get('ETag')).toBe('"2"');
    expect(await expectJson(await get(b.t, `/v1/invoices/${invoice.id}`), 200)).toMatchObject({
      status: 'paid',
      balanceDue: 0,
    });
  });

  it('over-allocation is refused (422) and nothing is written', async () => {
    const b = await openBooks();
    const [invoice, second] = [await issuedInvoice(b), await issuedInvoice(b)];
    const before = await positionOf(b.t);
    const beyondBalance = await expectProblem(
      await post(
        b.t,
        '/v1/payments',
        payment(b, { allocations: [{ invoiceId: invoice.id, amount: 12_000 }] }),
      ),
      422,
      'allocation_exceeds_balance',
    );
    expect(beyondBalance.errors).toEqual([
      { path: 'allocations.0.amount', message: 'exceeds the invoice balance of 11000' },
    ]);
    const allocations = [
      { invoiceId: invoice.id, amount: 11_000 },
      { invoiceId: second.id, amount: 11_000 },
    ];
    await expectProblem(
      await post(b.t, '/v1/payments', payment(b, { amount: 15_000, allocations })),
      422,
      'allocation_exceeds_payment',
    );
    expect(await positionOf(b.t)).toBe(before);
    const credit = await expectJson(
      await post(b.t, '/v1/payments', payment(b, { amount: 1_000 })),
      201,
    );
    await expectProblem(
      await post(b.t, `/v1/payments/${credit.id}/allocations`, {
        allocations: [{ invoiceId: invoice.id, amount: 2_000 }],
      }),
      422,
      'allocation_exceeds_payment',
    );
  });

  it('refusals: draft invoice not open 422, unknown payment 404, stale If-Match 412', async () => {
    const b = await openBooks();
    const draft = await expectJson(
      await post(b.t, '/v1/invoices', {
        customerId: b.customerId,
        currency: 'USD',
        issueDate: '2025-03-01',
        dueDate: '2025-03-31',
        lines: [{ description: 'x', quantity: 1, unitAmount: 100 }],
      }),
      201,
    );
    await expectProblem(
      await post(
        b.t,
        '/v1/payments',
        payment(b, { allocations: [{ invoiceId: draft.id, amount: 100 }] }),
      ),
      422,
      'invoice_not_open',
    );
    await expectProblem(
      await post(b.t, '/v1/payments/pay_nope/allocations', {
        allocations: [{ invoiceId: draft.id, amount: 1 }],
      }),
      404,
      'payment_not_found',
    );
    await expectProblem(await get(b.t, '/v1/payments/pay_nope'), 404, 'payment_not_found');
    const credit = await expectJson(await post(b.t, '/v1/payments', payment(b)), 201);
    const invoice = await issuedInvoice(b);
    await expectProblem(
      await post(
        b.t,
        `/v1/payments/${credit.id}/allocations`,
        { allocations: [{ invoiceId: invoice.id, amount: 1 }] },
        { 'If-Match': '"7"' },
      ),
      412,
      'version_mismatch',
    );
  });

  it('validation → 400 with field paths', async () => {
    const b = await openBooks();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ amount: 10.5 }, 'amount', 'must be an integer number of minor units'],
      [{ amount: undefined }, 'amount', 'is required'],
      [{ method: 'bitcoin' }, 'method', 'must be one of cash, bank_transfer, card, check, other'],
      [{ date: '2025-3-1' }, 'date', 'must be a valid date (YYYY-MM-DD)'],
      [{ currency: 'EURO' }, 'currency', 'must be a three-letter ISO 4217 currency code'],
      [
        { allocations: [{ invoiceId: 'inv_1', amount: 1, note: 'x' }] },
        'allocations.0.note',
        'is not a known field',
      ],
      [{ allocations: {} }, 'allocations', 'must be a list'],
    ];
    for (const [over, path, message] of cases) {
      const problem = await expectProblem(
        await post(b.t, '/v1/payments', payment(b, over)),
        400,
        'validation_failed',
      );
      expect(problem.errors, JSON.stringify(over)).toContainEqual({ path, message });
    }
    const credit = await expectJson(await post(b.t, '/v1/payments', payment(b)), 201);
    const empty = await expectProblem(
      await post(b.t, `/v1/payments/${credit.id}/allocations`, { allocations: [] }),
      400,
      'validation_failed',
    );
    expect(empty.errors).toEqual([{ path: 'allocations', message: 'must have at least 1 item' }]);
    await expectProblem(
      await post(b.t, '/v1/payments', payment(b, { amount: -5 })),
      422,
      'amount_not_positive',
    );
  });
});
