import { describe, expect, it } from 'vitest';
import type { Command, InvoiceCreateInput } from '../../src/domain/index';
import { balanceOf, invoice, ledgerWithCustomer, line, refused } from '../fixtures/domain/fixtures';
import type { Ledger } from '../fixtures/domain/harness';

const create = (customerId: string, patch: Partial<InvoiceCreateInput> = {}): Command => ({
  type: 'invoice.create',
  data: {
    customerId,
    currency: 'USD',
    issueDate: '2024-06-01',
    dueDate: '2024-07-01',
    lines: [line(10_000)],
    ...patch,
  },
});

describe('invoice.create / update', () => {
  it('creates a draft with computed totals and the default revenue account', () => {
    const { ledger, customerId } = ledgerWithCustomer();
    const inv = ledger.ok(
      create(customerId, {
        memo: ' Thanks ',
        lines: [line(333, 88_750, 3000), line(1000, 0, 500)],
      }),
      'invoice',
    );
    expect(inv).toMatchObject({
      status: 'draft',
      memo: 'Thanks',
      subtotal: 1499,
      taxTotal: 89,
      total: 1588,
      paidAmount: 0,
    });
    expect(inv.lines.map((l) => [l.lineNo, l.amount, l.taxAmount, l.revenueAccountId])).toEqual([
      [1, 999, 89, ledger.account('4000')],
      [2, 500, 0, ledger.account('4000')],
    ]);
  });

  it('replaces fields of a draft and keeps the rest', () => {
    const { ledger, customerId } = ledgerWithCustomer();
    const id = invoice(ledger, customerId, [line(100)], { issue: false });
    const service = ledger.account('4100');
    const inv = ledger.ok(
      {
        type: 'invoice.update',
        data: { id, dueDate: '2024-08-01', lines: [{ ...line(250), revenueAccountId: service }] },
      },
      'invoice',
    );
    expect(inv).toMatchObject({ dueDate: '2024-08-01', issueDate: '2024-06-01', total: 250 });
    expect(inv.lines[0]?.revenueAccountId).toBe(service);
    expect(
      ledger.ok({ type: 'invoice.update', data: { id, memo: 'x' } }, 'invoice').lines[0]
        ?.revenueAccountId,
    ).toBe(service);
  });

  const cases: [string, (l: Ledger, c: string) => Command, string, string, string?][] = [
    [
      'unknown customer',
      () => create('cus_9999'),
      'invalid',
      'customer_reference_invalid',
      'customerId',
    ],
    [
      'due before issue',
      (_, c) => create(c, { dueDate: '2024-05-31' }),
      'invalid',
      'due_date_before_issue_date',
      'dueDate',
    ],
    [
      'impossible date',
      (_, c) => create(c, { issueDate: '2024-02-30' }),
      'invalid',
      'invalid_date',
      'issueDate',
    ],
    ['no lines', (_, c) => create(c, { lines: [] }), 'invalid', 'validation_failed', 'lines'],
    [
      '201 lines',
      (_, c) => create(c, { lines: Array.from({ length: 201 }, () => line(1)) }),
      'invalid',
      'validation_failed',
      'lines',
    ],
    [
      'zero quantity',
      (_, c) => create(c, { lines: [line(1, 0, 0)] }),
      'invalid',
      'validation_failed',
      'lines.0.quantityMilli',
    ],
    [
      'fractional price',
      (_, c) => create(c, { lines: [line(1.5)] }),
      'invalid',
      'amount_not_integer',
      'lines.0.unitAmount',
    ],
    [
      'tax over 100 %',
      (_, c) => create(c, { lines: [line(1, 1_000_001)] }),
      'invalid',
      'validation_failed',
      'lines.0.taxRatePpm',
    ],
    [
      'empty description',
      (_, c) => create(c, { lines: [{ ...line(1), description: ' ' }] }),
      'invalid',
      'validation_failed',
      'lines.0.description',
    ],
    [
      'non-revenue account',
      (l, c) => create(c, { lines: [{ ...line(1), revenueAccountId: l.account('1000') }] }),
      'invalid',
      'account_type_mismatch',
      'lines.0.revenueAccountId',
    ],
    [
      'unknown account',
      (_, c) => create(c, { lines: [{ ...line(1), revenueAccountId: 'acc_9999' }] }),
      'invalid',
      'account_reference_invalid',
      'lines.0.revenueAccountId',
    ],
    [
      'total too large',
      (_, c) => create(c, { lines: [line(1e14, 10_000)] }),
      'invalid',
      'amount_too_large',
      'lines',
    ],
    [
      'line too large',
      (_, c) => create(c, { lines: [line(1e14, 0, 2000)] }),
      'invalid',
      'amount_too_large',
      'lines.0',
    ],
    [
      'update unknown',
      () => ({ type: 'invoice.update', data: { id: 'inv_9999' } }),
      'not_found',
      'invoice_not_found',
    ],
  ];
  it.each(cases)('refuses: %s', (_, command, kind, code, path) => {
    const { ledger, customerId } = ledgerWithCustomer();
    refused(ledger, command(ledger, customerId), kind, code, path);
  });

  it('refuses inactive customers and changes to issued invoices', () => {
    const { ledger, customerId } = ledgerWithCustomer();
    const id = invoice(ledger, customerId);
    refused(
      ledger,
      { type: 'invoice.update', data: { id, memo: 'late edit' } },
      'conflict',
      'invoice_not_draft',
    );
    ledger.ok({ type: 'customer.deactivate', data: { id: customerId } });
    refused(ledger, create(customerId), 'invalid', 'customer_inactive', 'customerId');
  });
});

describe('invoice.issue', () => {
  it('posts Dr receivable / Cr revenue per account / Cr tax', () => {
    const { ledger, customerId } = ledgerWithCustomer();
    const service = ledger.account('4100');
    const id = invoice(ledger, customerId, [
      line(1000, 100_000),
      { ...line(500, 100_000), revenueAccountId: service },
      line(300),
    ]);
    const inv = ledger.get(`invoice:${id}`, 'invoice');
    expect(inv).toMatchObject({
      status: 'issued',
      total: 1950,
      receivableAccountId: ledger.account('1100'),
    });
    const entry = ledger.get(`journal:${inv.journalId}`, 'journal');
    expect(entry).toMatchObject({ date: '2024-06-01', source: { type: 'invoice', id } });
    expect(entry.lines.map((l) => [l.accountId, l.debit, l.credit])).toEqual([
      [ledger.account('1100'), 1950, 0],
      [ledger.account('4000'), 0, 1300],
      [service, 0, 500],
      [ledger.account('2100'), 0, 150],
    ]);
  });

  it('omits the tax line when there is no tax', () => {
    const { ledger, customerId } = ledgerWithCustomer();
    const id = invoice(ledger, customerId, [line(700)]);
    const entry = ledger.get(
      `journal:${ledger.get(`invoice:${id}`, 'invoice').journalId}`,
      'journal',
    );
    expect(entry.lines).toHaveLength(2);
  });

  it.each([
    ['zero total', 'invalid', 'invoice_zero_total'],
    ['issued twice', 'conflict', 'invoice_not_draft'],
    ['locked period', 'invalid', 'period_locked'],
    ['inactive customer', 'invalid', 'customer_inactive'],
    ['inactive revenue account', 'invalid', 'account_inactive'],
    ['unknown invoice', 'not_found', 'invoice_not_found'],
  ])('refuses: %s', (what, kind, code) => {
    const { ledger, customerId } = ledgerWithCustomer();
    const extra = ledger.ok(
      { type: 'account.create', data: { code: '4900', name: 'Other', type: 'revenue' } },
      'account',
    ).id;
    const lines = what === 'zero total' ? [line(0)] : [{ ...line(100), revenueAccountId: extra }];
    let id = invoice(ledger, customerId, lines, { issue: what === 'issued twice' });
    if (what === 'locked period')
      ledger.ok({ type: 'settings.update', data: { lockDate: '2024-06-01' } });
    if (what === 'inactive customer')
      ledger.ok({ type: 'customer.deactivate', data: { id: customerId } });
    if (what === 'inactive revenue account')
      ledger.ok({ type: 'account.deactivate', data: { id: extra } });
    if (what === 'unknown invoice') id = 'inv_9999';
    refused(ledger, { type: 'invoice.issue', data: { id } }, kind, code);
  });
});

describe('invoice.void', () => {
  it('voids a draft without posting', () => {
    const { ledger, customerId } = ledgerWithCustomer();
    const id = invoice(ledger, customerId, [line(100)], { issue: false });
    const posted = ledger.eventsOf('journal.posted').length;
    expect(ledger.ok({ type: 'invoice.void', data: { id } }, 'invoice')).toMatchObject({
      status: 'void',
      voidedOn: '2024-06-15',
      voidJournalId: null,
    });
    expect(ledger.eventsOf('journal.posted')).toHaveLength(posted);
  });

  it('mirrors the issue entry for an unpaid issued invoice', () => {
    const { ledger, customerId } = ledgerWithCustomer();
    const id = invoice(ledger, customerId);
    const inv = ledger.ok({ type: 'invoice.void', data: { id, date: '2024-06-05' } }, 'invoice');
    const entry = ledger.get(`journal:${inv.voidJournalId}`, 'journal');
    expect(entry).toMatchObject({
      date: '2024-06-05',
      source: { type: 'invoice_void', id },
      reversalOf: inv.journalId,
    });
    expect(ledger.get(`journal:${inv.journalId}`, 'journal').reversedBy).toBe(entry.id);
    expect(balanceOf(ledger, ledger.account('1100'))).toBe(0);
    expect(balanceOf(ledger, ledger.account('4000'))).toBe(0);
    refused(
      ledger,
      { type: 'journal.reverse', data: { id: entry.id } },
      'conflict',
      'journal_system_entry',
    );
  });

  it.each([
    ['twice', 'conflict', 'invoice_void', undefined],
    ['partially paid', 'conflict', 'invoice_has_payments', undefined],
    ['fully paid', 'conflict', 'invoice_has_payments', undefined],
    ['before issue date', 'invalid', 'date_before_original', 'date'],
    ['locked period', 'invalid', 'period_locked', 'date'],
    ['unknown', 'not_found', 'invoice_not_found', undefined],
  ])('refuses: %s', (what, kind, code, path) => {
    const { ledger, customerId } = ledgerWithCustomer();
    let id = invoice(ledger, customerId, [line(1000)]);
    let date: string | undefined;
    if (what === 'twice') ledger.ok({ type: 'invoice.void', data: { id } });
    const pay = (amount: number) =>
      ledger.ok({
        type: 'payment.record',
        data: {
          customerId,
          amount,
          currency: 'USD',
          date: '2024-06-02',
          method: 'cash',
          allocations: [{ invoiceId: id, amount }],
        },
      });
    if (what === 'partially paid') pay(10);
    if (what === 'fully paid') pay(1000);
    if (what === 'before issue date') date = '2024-05-31';
    if (what === 'locked period')
      ledger.ok({ type: 'settings.update', data: { lockDate: '2024-12-31' } });
    if (what === 'unknown') id = 'inv_9999';
    refused(
      ledger,
      { type: 'invoice.void', data: date === undefined ? { id } : { id, date } },
      kind,
      code,
      path,
    );
  });

  it('journal.reverse refuses the issue entry (system entry)', () => {
    const { ledger, customerId } = ledgerWithCustomer();
    const id = invoice(ledger, customerId);
    const journalId = ledger.get(`invoice:${id}`, 'invoice').journalId ?? '';
    refused(
      ledger,
      { type: 'journal.reverse', data: { id: journalId } },
      'conflict',
      'journal_system_entry',
    );
  });
});
