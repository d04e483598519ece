import { describe, expect, it } from 'vitest';
import { toView } from '../../src/domain/index';
import { invoice, ledgerWithCustomer, line } from '../fixtures/domain/fixtures';

describe('toView', () => {
  it('shows invoices with decimal quantity and tax rate next to exact integers', () => {
    const { ledger, customerId } = ledgerWithCustomer();
    const id = invoice(ledger, customerId, [line(333, 88_750, 3000), line(100, 0, 1500)]);
    ledger.ok({
      type: 'payment.record',
      data: {
        customerId,
        amount: 500,
        currency: 'USD',
        date: '2024-06-02',
        method: 'check',
        allocations: [{ invoiceId: id, amount: 500 }],
      },
    });
    const view = toView(ledger.get(`invoice:${id}`, 'invoice'));
    expect(view).toMatchObject({
      id,
      status: 'partially_paid',
      subtotal: 1149,
      taxTotal: 89,
      total: 1238,
      paidAmount: 500,
      balanceDue: 738,
      lines: [
        {
          lineNo: 1,
          quantity: 3,
          quantityMilli: 3000,
          taxRate: 8.875,
          taxRatePpm: 88_750,
          amount: 999,
          taxAmount: 89,
        },
        { lineNo: 2, quantity: 1.5, taxRate: 0, amount: 150 },
      ],
    });
    expect(view).not.toHaveProperty('kind');
  });

  it('shows payments with allocation totals, and other resources without internals', () => {
    const { ledger, customerId } = ledgerWithCustomer();
    const pay = ledger.ok(
      {
        type: 'payment.record',
        data: { customerId, amount: 900, currency: 'USD', date: '2024-06-02', method: 'cash' },
      },
      'payment',
    );
    expect(toView(pay)).toMatchObject({
      id: pay.id,
      amount: 900,
      allocations: [],
      allocatedAmount: 0,
      unallocatedAmount: 900,
    });
    expect(toView(pay)).not.toHaveProperty('cashAccountId');
    const account = ledger.get(`account:${ledger.account('6000')}`, 'account');
    expect(toView(account)).toEqual({
      id: account.id,
      code: '6000',
      name: 'Operating expenses',
      type: 'expense',
      parentId: null,
      description: null,
      active: true,
    });
    expect(toView(ledger.get('settings', 'settings'))).toHaveProperty('lockDate', null);
    const draft = invoice(ledger, customerId, [line(100)], { issue: false });
    expect(toView(ledger.get(`invoice:${draft}`, 'invoice'))).toMatchObject({
      status: 'draft',
      balanceDue: 0,
    });
  });
});
