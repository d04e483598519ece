import { describe, expect, it } from 'vitest';
import { decide, evolve, initializeTenant, type Command } from '../../src/domain/index';
import { invoice, ledgerWithCustomer, line, refused } from '../fixtures/domain/fixtures';
import { Ledger } from '../fixtures/domain/harness';

describe('settings.update', () => {
  it('moves the lock date forward and back (reopening is allowed)', () => {
    const ledger = new Ledger();
    expect(
      ledger.ok({ type: 'settings.update', data: { lockDate: '2024-05-31' } }, 'settings').lockDate,
    ).toBe('2024-05-31');
    expect(
      ledger.ok({ type: 'settings.update', data: { lockDate: '2024-03-31' } }, 'settings').lockDate,
    ).toBe('2024-03-31');
    expect(
      ledger.ok({ type: 'settings.update', data: { lockDate: null } }, 'settings').lockDate,
    ).toBeNull();
  });

  it('remaps default accounts; new documents use them, issued ones keep theirs', () => {
    const { ledger, customerId } = ledgerWithCustomer();
    const first = invoice(ledger, customerId, [line(100)]);
    const ar2 = ledger.ok(
      { type: 'account.create', data: { code: '1110', name: 'AR 2', type: 'asset' } },
      'account',
    ).id;
    const rev2 = ledger.ok(
      { type: 'account.create', data: { code: '4200', name: 'Rev 2', type: 'revenue' } },
      'account',
    ).id;
    ledger.ok({ type: 'settings.update', data: { accounts: { receivable: ar2, revenue: rev2 } } });
    const second = invoice(ledger, customerId, [line(100)]);
    expect(ledger.get(`invoice:${first}`, 'invoice').receivableAccountId).toBe(
      ledger.account('1100'),
    );
    expect(ledger.get(`invoice:${second}`, 'invoice')).toMatchObject({
      receivableAccountId: ar2,
      lines: [{ revenueAccountId: rev2 }],
    });
    // Paying the first invoice credits the receivable it was issued with.
    const pay = ledger.ok(
      {
        type: 'payment.record',
        data: {
          customerId,
          amount: 200,
          currency: 'USD',
          date: '2024-06-05',
          method: 'card',
          allocations: [
            { invoiceId: first, amount: 100 },
            { invoiceId: second, amount: 100 },
          ],
        },
      },
      'payment',
    );
    const credits = ledger
      .get(`journal:${pay.journalId}`, 'journal')
      .lines.filter((l) => l.credit > 0)
      .map((l) => l.accountId);
    expect(credits).toEqual([ledger.account('1100'), ar2]);
    // The old default can now be deactivated.
    expect(
      ledger.run({ type: 'account.deactivate', data: { id: ledger.account('4000') } }).ok,
    ).toBe(true);
  });

  it.each<[string, (l: Ledger) => Command, string, string]>([
    [
      'bad lock date',
      () => ({ type: 'settings.update', data: { lockDate: '2024-13-01' } }),
      'invalid_date',
      'lockDate',
    ],
    [
      'receivable must be an asset',
      (l) => ({ type: 'settings.update', data: { accounts: { receivable: l.account('2000') } } }),
      'account_type_mismatch',
      'accounts.receivable',
    ],
    [
      'revenue must be revenue',
      (l) => ({ type: 'settings.update', data: { accounts: { revenue: l.account('5000') } } }),
      'account_type_mismatch',
      'accounts.revenue',
    ],
    [
      'tax must be a liability',
      (l) => ({ type: 'settings.update', data: { accounts: { taxPayable: l.account('1000') } } }),
      'account_type_mismatch',
      'accounts.taxPayable',
    ],
    [
      'unknown account',
      () => ({ type: 'settings.update', data: { accounts: { cash: 'acc_9999' } } }),
      'account_reference_invalid',
      'accounts.cash',
    ],
  ])('refuses: %s', (_, command, code, path) => {
    const ledger = new Ledger();
    refused(ledger, command(ledger), 'invalid', code, path);
  });

  it('refuses an inactive account', () => {
    const ledger = new Ledger();
    ledger.ok({ type: 'account.deactivate', data: { id: ledger.account('1500') } });
    refused(
      ledger,
      { type: 'settings.update', data: { accounts: { cash: ledger.account('1500') } } },
      'invalid',
      'account_inactive',
      'accounts.cash',
    );
  });
});

describe('tenant and decide plumbing', () => {
  it('initializeTenant only needs ids and is deterministic', () => {
    let n = 0;
    const newId = (prefix: string) => `${prefix}_${++n}`;
    const a = initializeTenant({ newId });
    n = 0;
    expect(initializeTenant({ newId })).toEqual(a);
    expect(a.at(-1)?.streamId).toBe('settings');
  });

  it('refuses commands before the tenant is initialized', () => {
    const ctx = {
      load: () => undefined,
      lookup: () => undefined,
      now: '2024-01-01T00:00:00Z',
      newId: (p: string) => `${p}_1`,
    };
    const result = decide({ type: 'settings.update', data: { lockDate: null } }, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'tenant_not_initialized' } });
  });

  it('refuses unknown commands and non-object bodies', () => {
    const ledger = new Ledger();
    refused(
      ledger,
      { type: 'ledger.explode', data: {} } as unknown as Command,
      'invalid',
      'unknown_command',
    );
    refused(ledger, null as unknown as Command, 'invalid', 'unknown_command');
    refused(
      ledger,
      { type: 'journal.post', data: null } as unknown as Command,
      'invalid',
      'validation_failed',
    );
    refused(
      ledger,
      { type: 'journal.post', data: { lines: 'x' } } as unknown as Command,
      'invalid',
      'invalid_date',
      'date',
    );
  });

  it('evolve rejects events that do not fit the stream', () => {
    const ledger = new Ledger();
    const settings = ledger.get('settings', 'settings');
    expect(() => evolve(settings, { type: 'account.deactivated', data: { id: 'x' } })).toThrow();
    expect(() =>
      evolve(undefined, {
        type: 'invoice.issued',
        data: {
          id: 'x',
          journalId: 'j',
          receivableAccountId: 'a',
          issueDate: '2024-01-01',
          total: 1,
        },
      }),
    ).toThrow();
  });
});
