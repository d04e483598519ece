/** `/v1/invoices`: drafts, issue, void; exact quantities and tax rates. */
import { describe, expect, it } from 'vitest';
import { draftInvoice, issuedInvoice, openBooks, positionOf } from '../fixtures/books';
import { expectJson, expectProblem, get, patch, post } from '../fixtures/http';

describe('invoices', () => {
  it('create a draft → 201; quantity and taxRate become exact integers (no float drift)', async () => {
    const b = await openBooks();
    const lines = [
      { description: 'Hours', quantity: 1.5, unitAmount: 10_000, taxRate: 8.875 },
      { description: 'Parts', quantity: 1.005, unitAmount: 1_000, taxRate: 0.0001 },
      { description: 'Fee', quantity: 0.001, unitAmount: 100_000 },
    ];
    const res = await post(b.t, '/v1/invoices', {
      customerId: b.customerId,
      currency: 'USD',
      issueDate: '2025-03-01',
      dueDate: '2025-03-31',
      memo: 'March',
      lines,
    });
    const invoice = await expectJson(res, 201);
    expect(res.headers.get('Location')).toBe(`/v1/invoices/${invoice.id}`);
    expect(invoice).toMatchObject({
      status: 'draft',
      customerId: b.customerId,
      memo: 'March',
      journalId: null,
      balanceDue: 0,
    });
    expect(invoice.lines).toMatchObject([
      {
        lineNo: 1,
        quantity: 1.5,
        quantityMilli: 1_500,
        taxRate: 8.875,
        taxRatePpm: 88_750,
        amount: 15_000,
        revenueAccountId: b.accounts.revenue,
      },
      { lineNo: 2, quantityMilli: 1_005, taxRatePpm: 1, amount: 1_005 },
      { lineNo: 3, quantityMilli: 1, taxRatePpm: 0, amount: 100 },
    ]);
    expect(invoice.subtotal).toBe(16_105);
    expect(await expectJson(await get(b.t, `/v1/invoices/${invoice.id}`), 200)).toEqual(invoice);
  });

  it('update a draft (PATCH, lines replace all) → issue → void', async () => {
    const b = await openBooks();
    const draft = await draftInvoice(b);
    const res = await patch(
      b.t,
      `/v1/invoices/${draft.id}`,
      {
        dueDate: '2025-04-15',
        lines: [{ description: 'Retainer', quantity: 2, unitAmount: 5_000, taxRate: 100 }],
      },
      '"1"',
    );
    const updated = await expectJson(res, 200);
    expect(updated).toMatchObject({
      dueDate: '2025-04-15',
      subtotal: 10_000,
      taxTotal: 10_000,
      total: 20_000,
    });
    expect(updated.lines).toHaveLength(1);
    const issued = await post(b.t, `/v1/invoices/${draft.id}/issue`, undefined, {
      'If-Match': '"2"',
    });
    expect(await expectJson(issued, 200)).toMatchObject({
      status: 'issued',
      balanceDue: 20_000,
      journalId: expect.stringMatching(/^je_/),
    });
    expect(issued.headers.get('ETag')).toBe('"3"');
    const voided = await expectJson(
      await post(b.t, `/v1/invoices/${draft.id}/void`, { date: '2025-03-05' }),
      200,
    );
    expect(voided).toMatchObject({
      status: 'void',
      voidedOn: '2025-03-05',
      voidJournalId: expect.stringMatching(/^je_/),
    });
  });

  it('lifecycle refusals: 409 for the wrong state, 422 for a locked period', async () => {
    const b = await openBooks();
    const issued = await issuedInvoice(b);
    await expectProblem(
      await post(b.t, `/v1/invoices/${issued.id}/issue`),
      409,
      'invoice_not_draft',
    );
    await expectProblem(
      await patch(b.t, `/v1/invoices/${issued.id}`, { memo: 'late edit' }),
      409,
      'invoice_not_draft',
    );
    // A paid invoice cannot be voided.
    const pay = {
      customerId: b.customerId,
      amount: 11_000,
      currency: 'USD',
      date: '2025-03-10',
      method: 'bank_transfer',
      allocations: [{ invoiceId: issued.id, amount: 11_000 }],
    };
    await expectJson(await post(b.t, '/v1/payments', pay), 201);
    expect(await expectJson(await get(b.t, `/v1/invoices/${issued.id}`), 200)).toMatchObject({
      status: 'paid',
      balanceDue: 0,
    });
    const before = await positionOf(b.t);
    await expectProblem(
      await post(b.t, `/v1/invoices/${issued.id}/void`),
      409,
      'invoice_has_payments',
    );
    expect(await positionOf(b.t)).toBe(before);
    // Lock date: a draft dated in a closed period cannot be issued.
    const draft = await draftInvoice(b, { issueDate: '2025-01-15', dueDate: '2025-02-15' });
    await expectJson(await patch(b.t, '/v1/settings', { lockDate: '2025-01-31' }), 200);
    const locked = await expectProblem(
      await post(b.t, `/v1/invoices/${draft.id}/issue`),
      422,
      'period_locked',
    );
    expect(locked.errors).toEqual([
      { path: 'issueDate', message: 'must be after the lock date 2025-01-31' },
    ]);
  });

  it('domain checks: unknown customer 422, due before issue 422, unknown invoice 404', async () => {
    const b = await openBooks();
    const unknown = await expectProblem(
      await post(b.t, '/v1/invoices', {
        customerId: 'cus_nope',
        currency: 'USD',
        issueDate: '2025-03-01',
        dueDate: '2025-03-31',
        lines: [{ description: 'x', quantity: 1, unitAmount: 1 }],
      }),
      422,
      'customer_reference_invalid',
    );
    expect(unknown.errors).toEqual([{ path: 'customerId', message: 'customer does not exist' }]);
    await expectProblem(
      await post(b.t, '/v1/invoices', {
        customerId: b.customerId,
        currency: 'USD',
        issueDate: '2025-03-31',
        dueDate: '2025-03-01',
        lines: [{ description: 'x', quantity: 1, unitAmount: 1 }],
      }),
      422,
      'due_date_before_issue_date',
    );
    for (const path of ['/v1/invoices/inv_nope/issue', '/v1/invoices/inv_nope/void'])
      await expectProblem(await post(b.t, path), 404, 'invoice_not_found');
    await expectProblem(
      await patch(b.t, '/v1/invoices/inv_nope', { memo: 'x' }),
      404,
      'invoice_not_found',
    );
  });

  it('validation of lines: quantity > 0 with ≤ 3 decimals, taxRate 0..100 with ≤ 4 decimals', async () => {
    const b = await openBooks();
    const line = { description: 'x', quantity: 1, unitAmount: 100 };
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ quantity: 0 }, 'lines.0.quantity', 'must be greater than 0'],
      [{ quantity: -1 }, 'lines.0.quantity', 'must be greater than 0'],
      [{ quantity: 1.0001 }, 'lines.0.quantity', 'must have at most 3 decimal places'],
      [{ quantity: '1' }, 'lines.0.quantity', 'must be a number'],
      [{ quantity: undefined }, 'lines.0.quantity', 'is required'],
      [{ taxRate: 100.5 }, 'lines.0.taxRate', 'must be at most 100'],
      [{ taxRate: -1 }, 'lines.0.taxRate', 'must be at least 0'],
      [{ taxRate: 8.87501 }, 'lines.0.taxRate', 'must have at most 4 decimal places'],
      [{ unitAmount: 1.5 }, 'lines.0.unitAmount', 'must be an integer number of minor units'],
      [{ quantityMilli: 1000 }, 'lines.0.quantityMilli', 'is not a known field'],
      [{ description: '' }, 'lines.0.description', 'must not be empty'],
    ];
    for (const [over, path, message] of cases) {
      const body = {
        customerId: b.customerId,
        currency: 'USD',
        issueDate: '2025-03-01',
        dueDate: '2025-03-31',
        lines: [{ ...line, ...over }],
      };
      const problem = await expectProblem(
        await post(b.t, '/v1/invoices', body),
        400,
        'validation_failed',
      );
      expect(problem.errors, JSON.stringify(over)).toContainEqual({ path, message });
    }
    const noLines = await expectProblem(
      await post(b.t, '/v1/invoices', {
        customerId: b.customerId,
        currency: 'USD',
        issueDate: '2025-03-01',
        dueDate: '2025-03-31',
        lines: [],
      }),
      400,
      'validation_failed',
    );
    expect(noLines.errors).toEqual([{ path: 'lines', message: 'must have at least 1 line' }]);
    const missing = await expectProblem(
      await post(b.t, '/v1/invoices', {}),
      400,
      'validation_failed',
    );
    expect((missing.errors as Array<{ path: string }>).map((e) => e.path)).toEqual([
      'customerId',
      'currency',
      'issueDate',
      'dueDate',
      'lines',
    ]);
    const draft = await draftInvoice(b);
    await expectProblem(
      await post(b.t, `/v1/invoices/${draft.id}/void`, { date: '2025-13-01' }),
      400,
      'validation_failed',
    );
    await expectProblem(
      await post(b.t, `/v1/invoices/${draft.id}/void`, { reason: 'x' }),
      400,
      'validation_failed',
    );
  });
});
