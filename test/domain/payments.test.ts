import { describe, expect, it } from 'vitest';
import type { AllocationInput, Command, PaymentRecordInput } from '../../src/domain/index';
import { balanceOf, invoice, ledgerWithCustomer, line, refused } from '../fixtures/domain/fixtures';
import type { Ledger } from '../fixtures/domain/harness';

const record = (
  customerId: string,
  amount: number,
  allocations: AllocationInput[],
  patch: Partial<PaymentRecordInput> = {},
): Command => ({
  type: 'payment.record',
  data: {
    customerId,
    amount,
    currency: 'USD',
    date: '2024-06-10',
    method: 'bank_transfer',
    reference: 'TX-1',
    allocations,
    ...patch,
  },
});

function setup() {
  const { ledger, customerId } = ledgerWithCustomer();
  const a = invoice(ledger, customerId, [line(1000)]);
  const b = invoice(ledger, customerId, [line(500)]);
  return { ledger, customerId, a, b };
}

describe('payment.record', () => {
  it('applies allocations, updates invoice status and posts cash / AR / unapplied', () => {
    const { ledger, customerId, a, b } = setup();
    const payment = ledger.ok(
      record(customerId, 2000, [
        { invoiceId: a, amount: 1000 },
        { invoiceId: b, amount: 200 },
      ]),
      'payment',
    );
    expect(payment).toMatchObject({
      amount: 2000,
      allocatedAmount: 1200,
      unallocatedAmount: 800,
      method: 'bank_transfer',
      reference: 'TX-1',
    });
    expect(ledger.get(`invoice:${a}`, 'invoice')).toMatchObject({
      status: 'paid',
      paidAmount: 1000,
    });
    expect(ledger.get(`invoice:${b}`, 'invoice')).toMatchObject({
      status: 'partially_paid',
      paidAmount: 200,
    });
    const entry = ledger.get(`journal:${payment.journalId}`, 'journal');
    expect(entry.source).toEqual({ type: 'payment', id: payment.id });
    expect(entry.lines.map((l) => [l.accountId, l.debit, l.credit])).toEqual([
      [ledger.account('1000'), 2000, 0],
      [ledger.account('1100'), 0, 1200],
      [ledger.account('2150'), 0, 800],
    ]);
    expect(balanceOf(ledger, ledger.account('1100'))).toBe(300);
    const applied = ledger.eventsOf('invoice.payment_applied').map((e) => e.data);
    expect(applied).toEqual([
      {
        id: a,
        paymentId: payment.id,
        date: '2024-06-10',
        amount: 1000,
        paidAmount: 1000,
        balanceDue: 0,
        status: 'paid',
      },
      {
        id: b,
        paymentId: payment.id,
        date: '2024-06-10',
        amount: 200,
        paidAmount: 200,
        balanceDue: 300,
        status: 'partially_paid',
      },
    ]);
  });

  it('holds an unallocated payment as customer credit', () => {
    const { ledger, customerId } = setup();
    const payment = ledger.ok(record(customerId, 700, [], { reference: undefined }), 'payment');
    expect(payment).toMatchObject({ allocatedAmount: 0, unallocatedAmount: 700, reference: null });
    expect(balanceOf(ledger, ledger.account('2150'))).toBe(-700);
  });

  const cases: [
    string,
    (l: Ledger, c: string, a: string, b: string) => Command,
    string,
    string,
    string?,
  ][] = [
    [
      'over the invoice balance',
      (_, c, a) => record(c, 2000, [{ invoiceId: a, amount: 1001 }]),
      'invalid',
      'allocation_exceeds_balance',
      'allocations.0.amount',
    ],
    [
      'over the payment',
      (_, c, a, b) =>
        record(c, 1000, [
          { invoiceId: a, amount: 800 },
          { invoiceId: b, amount: 300 },
        ]),
      'invalid',
      'allocation_exceeds_payment',
      'allocations',
    ],
    [
      'unknown invoice',
      (_, c) => record(c, 100, [{ invoiceId: 'inv_9999', amount: 1 }]),
      'invalid',
      'invoice_reference_invalid',
      'allocations.0.invoiceId',
    ],
    [
      'same invoice twice',
      (_, c, a) =>
        record(c, 100, [
          { invoiceId: a, amount: 1 },
          { invoiceId: a, amount: 1 },
        ]),
      'invalid',
      'allocation_duplicate_invoice',
      'allocations.1.invoiceId',
    ],
    [
      'other currency',
      (_, c, a) => record(c, 100, [{ invoiceId: a, amount: 1 }], { currency: 'EUR' }),
      'invalid',
      'currency_mismatch',
      'allocations.0.invoiceId',
    ],
    [
      'zero allocation',
      (_, c, a) => record(c, 100, [{ invoiceId: a, amount: 0 }]),
      'invalid',
      'amount_not_positive',
      'allocations.0.amount',
    ],
    ['zero amount', (_, c) => record(c, 0, []), 'invalid', 'amount_not_positive', 'amount'],
    [
      'unknown customer',
      () => record('cus_9999', 10, []),
      'invalid',
      'customer_reference_invalid',
      'customerId',
    ],
    [
      'bad method',
      (_, c) => record(c, 10, [], { method: 'iou' as 'cash' }),
      'invalid',
      'validation_failed',
      'method',
    ],
    [
      'bad date',
      (_, c) => record(c, 10, [], { date: '2024-06-31' }),
      'invalid',
      'invalid_date',
      'date',
    ],
  ];
  it.each(cases)('refuses: %s', (_, command, kind, code, path) => {
    const { ledger, customerId, a, b } = setup();
    refused(ledger, command(ledger, customerId, a, b), kind, code, path);
  });

  it('refuses invoices of other customers, drafts, voids and paid invoices', () => {
    const { ledger, customerId, a } = setup();
    const other = ledger.ok({ type: 'customer.create', data: { name: 'Other' } }, 'customer').id;
    const foreign = invoice(ledger, other, [line(100)]);
    const draft = invoice(ledger, customerId, [line(100)], { issue: false });
    refused(
      ledger,
      record(customerId, 10, [{ invoiceId: foreign, amount: 1 }]),
      'invalid',
      'invoice_customer_mismatch',
      'allocations.0.invoiceId',
    );
    refused(
      ledger,
      record(customerId, 10, [{ invoiceId: draft, amount: 1 }]),
      'invalid',
      'invoice_not_open',
      'allocations.0.invoiceId',
    );
    ledger.ok(record(customerId, 1000, [{ invoiceId: a, amount: 1000 }]));
    refused(
      ledger,
      record(customerId, 10, [{ invoiceId: a, amount: 1 }]),
      'invalid',
      'invoice_not_open',
    );
    ledger.ok({ type: 'invoice.void', data: { id: draft } });
    refused(
      ledger,
      record(customerId, 10, [{ invoiceId: draft, amount: 1 }]),
      'invalid',
      'invoice_not_open',
    );
  });

  it('refuses inactive customers and locked periods', () => {
    const { ledger, customerId } = setup();
    ledger.ok({ type: 'settings.update', data: { lockDate: '2024-06-10' } });
    refused(ledger, record(customerId, 10, []), 'invalid', 'period_locked', 'date');
    ledger.ok({ type: 'customer.deactivate', data: { id: customerId } });
    refused(
      ledger,
      record(customerId, 10, [], { date: '2024-06-11' }),
      'invalid',
      'customer_inactive',
      'customerId',
    );
  });
});

describe('payment.allocate', () => {
  it('applies customer credit later: Dr unapplied / Cr receivable', () => {
    const { ledger, customerId, a, b } = setup();
    const payment = ledger.ok(record(customerId, 1200, [{ invoiceId: a, amount: 400 }]), 'payment');
    const after = ledger.ok(
      {
        type: 'payment.allocate',
        data: {
          id: payment.id,
          allocations: [
            { invoiceId: a, amount: 600 },
            { invoiceId: b, amount: 100 },
          ],
        },
      },
      'payment',
    );
    expect(after).toMatchObject({ allocatedAmount: 1100, unallocatedAmount: 100 });
    expect(after.allocations.map((x) => [x.invoiceId, x.amount, x.date])).toEqual([
      [a, 400, '2024-06-10'],
      [a, 600, '2024-06-15'],
      [b, 100, '2024-06-15'],
    ]);
    expect(ledger.get(`invoice:${a}`, 'invoice')).toMatchObject({
      status: 'paid',
      paidAmount: 1000,
    });
    const entry = ledger.get(`journal:${after.allocations[1]?.journalId}`, 'journal');
    expect(entry.lines.map((l) => [l.accountId, l.debit, l.credit])).toEqual([
      [ledger.account('2150'), 700, 0],
      [ledger.account('1100'), 0, 700],
    ]);
    expect(balanceOf(ledger, ledger.account('2150'))).toBe(-100);
  });

  it.each([
    ['more than the credit', 'invalid', 'allocation_exceeds_payment', 'allocations'],
    ['nothing', 'invalid', 'validation_failed', 'allocations'],
    ['before the payment', 'invalid', 'date_before_original', 'date'],
    ['in a locked period', 'invalid', 'period_locked', 'date'],
    ['an unknown payment', 'not_found', 'payment_not_found', undefined],
  ])('refuses allocating %s', (what, kind, code, path) => {
    const { ledger, customerId, b } = setup();
    const payment = ledger.ok(record(customerId, 300, []), 'payment');
    const data = {
      id: what === 'an unknown payment' ? 'pay_9999' : payment.id,
      allocations:
        what === 'nothing'
          ? []
          : [{ invoiceId: b, amount: what === 'more than the credit' ? 301 : 10 }],
      ...(what === 'before the payment' ? { date: '2024-06-09' } : {}),
    };
    if (what === 'in a locked period')
      ledger.ok({ type: 'settings.update', data: { lockDate: '2024-06-30' } });
    refused(ledger, { type: 'payment.allocate', data }, kind, code, path);
  });
});
