import { describe, expect, it } from 'vitest';
import type { Command, JournalLineInput } from '../../src/domain/index';
import { expectRefused, refused } from '../fixtures/domain/fixtures';
import { Ledger } from '../fixtures/domain/harness';

const post = (
  lines: JournalLineInput[],
  extra: Partial<{ date: string; currency: string; memo: string }> = {},
): Command => ({
  type: 'journal.post',
  data: { date: '2024-06-10', currency: 'USD', memo: 'Owner investment', lines, ...extra },
});

const investment = (l: Ledger, amount = 50_000): JournalLineInput[] => [
  { accountId: l.account('1000'), debit: amount },
  { accountId: l.account('3000'), credit: amount, description: 'Capital' },
];

describe('journal.post', () => {
  it('posts a balanced entry with numbered lines', () => {
    const ledger = new Ledger();
    const entry = ledger.ok(post(investment(ledger)), 'journal');
    expect(entry.source).toEqual({ type: 'manual', id: null });
    expect(entry.lines).toEqual([
      {
        lineNo: 1,
        accountId: ledger.account('1000'),
        currency: 'USD',
        debit: 50_000,
        credit: 0,
        description: null,
      },
      {
        lineNo: 2,
        accountId: ledger.account('3000'),
        currency: 'USD',
        debit: 0,
        credit: 50_000,
        description: 'Capital',
      },
    ]);
  });

  it('balances per currency on multi-currency entries', () => {
    const ledger = new Ledger();
    const [cash, equity] = [ledger.account('1000'), ledger.account('3000')];
    const ok = ledger.run(
      post([
        { accountId: cash, debit: 100 },
        { accountId: equity, credit: 100 },
        { accountId: cash, debit: 70, currency: 'EUR' },
        { accountId: equity, credit: 70, currency: 'EUR' },
      ]),
    );
    expect(ok.ok).toBe(true);
    const result = ledger.run(
      post([
        { accountId: cash, debit: 100 },
        { accountId: equity, credit: 100, currency: 'EUR' },
      ]),
    );
    expectRefused(result, 'invalid', 'journal_unbalanced');
    if (!result.ok) {
      expect(result.error.errors).toEqual([
        { path: 'lines', message: 'USD: debits 100 do not equal credits 0' },
        { path: 'lines', message: 'EUR: debits 0 do not equal credits 100' },
      ]);
    }
  });

  const cases: [string, (l: Ledger) => Command, string, string, string?][] = [
    [
      'unbalanced',
      (l) =>
        post([
          { accountId: l.account('1000'), debit: 10 },
          { accountId: l.account('3000'), credit: 9 },
        ]),
      'invalid',
      'journal_unbalanced',
      'lines',
    ],
    [
      'one line',
      (l) => post([{ accountId: l.account('1000'), debit: 10 }]),
      'invalid',
      'validation_failed',
      'lines',
    ],
    [
      'debit and credit',
      (l) =>
        post([
          { accountId: l.account('1000'), debit: 10, credit: 10 },
          { accountId: l.account('3000'), credit: 0 },
        ]),
      'invalid',
      'validation_failed',
      'lines.0',
    ],
    [
      'negative',
      (l) =>
        post([
          { accountId: l.account('1000'), debit: -10 },
          { accountId: l.account('3000'), credit: -10 },
        ]),
      'invalid',
      'amount_not_positive',
      'lines.0.debit',
    ],
    [
      'fraction',
      (l) =>
        post([
          { accountId: l.account('1000'), debit: 10.5 },
          { accountId: l.account('3000'), credit: 10.5 },
        ]),
      'invalid',
      'amount_not_integer',
      'lines.0.debit',
    ],
    [
      'too large',
      (l) =>
        post([
          { accountId: l.account('1000'), debit: 1e15 },
          { accountId: l.account('3000'), credit: 1e15 },
        ]),
      'invalid',
      'amount_too_large',
      'lines.0.debit',
    ],
    [
      'total too large',
      (l) =>
        post([
          { accountId: l.account('1000'), debit: 1e14 },
          { accountId: l.account('1000'), debit: 1e14 },
          { accountId: l.account('3000'), credit: 1e14 },
          { accountId: l.account('3000'), credit: 1e14 },
        ]),
      'invalid',
      'amount_too_large',
    ],
    [
      'unknown account',
      (l) =>
        post([
          { accountId: 'acc_9999', debit: 10 },
          { accountId: l.account('3000'), credit: 10 },
        ]),
      'invalid',
      'account_reference_invalid',
      'lines.0.accountId',
    ],
    [
      'bad date',
      (l) => post(investment(l), { date: '2024-02-30' }),
      'invalid',
      'invalid_date',
      'date',
    ],
    [
      'bad currency',
      (l) => post(investment(l), { currency: 'usd' }),
      'invalid',
      'invalid_currency',
      'currency',
    ],
    [
      'memo too long',
      (l) => post(investment(l), { memo: 'm'.repeat(1001) }),
      'invalid',
      'validation_failed',
      'memo',
    ],
  ];
  it.each(cases)('refuses: %s', (_, command, kind, code, path) => {
    const ledger = new Ledger();
    refused(ledger, command(ledger), kind, code, path);
  });

  it('refuses inactive accounts and locked periods', () => {
    const ledger = new Ledger();
    ledger.ok({ type: 'account.deactivate', data: { id: ledger.account('1500') } });
    refused(
      ledger,
      post([
        { accountId: ledger.account('1500'), debit: 5 },
        { accountId: ledger.account('3000'), credit: 5 },
      ]),
      'invalid',
      'account_inactive',
      'lines.0.accountId',
    );
    ledger.ok({ type: 'settings.update', data: { lockDate: '2024-06-10' } });
    refused(ledger, post(investment(ledger)), 'invalid', 'period_locked', 'date');
    expect(ledger.run(post(investment(ledger), { date: '2024-06-11' })).ok).toBe(true);
  });
});

describe('journal.reverse', () => {
  const setup = () => {
    const ledger = new Ledger();
    const original = ledger.ok(post(investment(ledger)), 'journal');
    return { ledger, original };
  };

  it('posts the mirror entry and links both ways', () => {
    const { ledger, original } = setup();
    const reversal = ledger.ok({ type: 'journal.reverse', data: { id: original.id } }, 'journal');
    expect(reversal).toMatchObject({
      date: '2024-06-15',
      reversalOf: original.id,
      source: { type: 'reversal', id: original.id },
    });
    expect(reversal.memo).toBe(`Reversal of ${original.id}`);
    expect(reversal.lines.map((l) => [l.debit, l.credit])).toEqual([
      [0, 50_000],
      [50_000, 0],
    ]);
    expect(ledger.get(`journal:${original.id}`, 'journal').reversedBy).toBe(reversal.id);
  });

  it.each([
    ['already reversed', 'conflict', 'journal_already_reversed'],
    ['a reversal', 'conflict', 'journal_is_reversal'],
  ])('refuses reversing %s', (what, kind, code) => {
    const { ledger, original } = setup();
    const reversal = ledger.ok(
      { type: 'journal.reverse', data: { id: original.id, date: '2024-06-12', memo: 'Oops' } },
      'journal',
    );
    const target = what === 'a reversal' ? reversal.id : original.id;
    refused(ledger, { type: 'journal.reverse', data: { id: target } }, kind, code);
  });

  it('refuses unknown entries, early dates and locked periods', () => {
    const { ledger, original } = setup();
    refused(
      ledger,
      { type: 'journal.reverse', data: { id: 'je_9999' } },
      'not_found',
      'journal_not_found',
    );
    refused(
      ledger,
      { type: 'journal.reverse', data: { id: original.id, date: '2024-06-09' } },
      'invalid',
      'date_before_original',
      'date',
    );
    refused(
      ledger,
      { type: 'journal.reverse', data: { id: original.id, date: 'June' } },
      'invalid',
      'invalid_date',
      'date',
    );
    ledger.ok({ type: 'settings.update', data: { lockDate: '2024-06-30' } });
    refused(
      ledger,
      { type: 'journal.reverse', data: { id: original.id } },
      'invalid',
      'period_locked',
      'date',
    );
  });
});
