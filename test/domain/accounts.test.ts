import { describe, expect, it } from 'vitest';
import { DEFAULT_CHART, indexEntries, type Command } from '../../src/domain/index';
import { refused } from '../fixtures/domain/fixtures';
import { Ledger } from '../fixtures/domain/harness';

describe('account.create', () => {
  it('creates an account and claims its code', () => {
    const ledger = new Ledger();
    const acc = ledger.ok(
      {
        type: 'account.create',
        data: { code: ' 1010 ', name: ' Petty cash ', type: 'asset', description: 'Drawer' },
      },
      'account',
    );
    expect(acc).toMatchObject({
      code: '1010',
      name: 'Petty cash',
      type: 'asset',
      parentId: null,
      active: true,
    });
    expect(ledger.account('1010')).toBe(acc.id);
  });

  it('links a sub-account to its parent', () => {
    const ledger = new Ledger();
    const parentId = ledger.account('6000');
    const acc = ledger.ok(
      { type: 'account.create', data: { code: '6300', name: 'Travel', type: 'expense', parentId } },
      'account',
    );
    expect(acc.parentId).toBe(parentId);
    expect(ledger.get(`account:${parentId}`, 'account').childIds).toContain(acc.id);
  });

  const bad: [string, (l: Ledger) => Command, string, string, string?][] = [
    [
      'code taken (case-insensitive)',
      () => ({ type: 'account.create', data: { code: '1000', name: 'Dup', type: 'asset' } }),
      'conflict',
      'account_code_taken',
      'code',
    ],
    [
      'bad code characters',
      () => ({ type: 'account.create', data: { code: '10 00', name: 'X', type: 'asset' } }),
      'invalid',
      'validation_failed',
      'code',
    ],
    [
      'empty name',
      () => ({ type: 'account.create', data: { code: '1700', name: '   ', type: 'asset' } }),
      'invalid',
      'validation_failed',
      'name',
    ],
    [
      'name too long',
      () => ({
        type: 'account.create',
        data: { code: '1700', name: 'x'.repeat(201), type: 'asset' },
      }),
      'invalid',
      'validation_failed',
      'name',
    ],
    [
      'unknown type',
      (): Command => ({
        type: 'account.create',
        data: { code: '1700', name: 'X', type: 'cash' as 'asset' },
      }),
      'invalid',
      'validation_failed',
      'type',
    ],
    [
      'parent missing',
      () => ({
        type: 'account.create',
        data: { code: '1700', name: 'X', type: 'asset', parentId: 'acc_9999' },
      }),
      'invalid',
      'parent_reference_invalid',
      'parentId',
    ],
    [
      'parent of another type',
      (l) => ({
        type: 'account.create',
        data: { code: '1700', name: 'X', type: 'asset', parentId: l.account('2000') },
      }),
      'invalid',
      'parent_type_mismatch',
      'parentId',
    ],
  ];
  it.each(bad)('refuses: %s', (_, command, kind, code, path) => {
    const ledger = new Ledger();
    refused(ledger, command(ledger), kind, code, path);
  });

  it('treats codes case-insensitively', () => {
    const ledger = new Ledger();
    ledger.ok({ type: 'account.create', data: { code: 'ab-1', name: 'X', type: 'asset' } });
    refused(
      ledger,
      { type: 'account.create', data: { code: 'AB-1', name: 'Y', type: 'asset' } },
      'conflict',
      'account_code_taken',
    );
  });

  it('refuses an inactive parent', () => {
    const ledger = new Ledger();
    ledger.ok({ type: 'account.deactivate', data: { id: ledger.account('1500') } });
    refused(
      ledger,
      {
        type: 'account.create',
        data: { code: '1510', name: 'Tools', type: 'asset', parentId: ledger.account('1500') },
      },
      'invalid',
      'parent_inactive',
      'parentId',
    );
  });
});

describe('account.update', () => {
  it('re-codes, renames and releases the old code', () => {
    const ledger = new Ledger();
    const id = ledger.account('1200');
    const acc = ledger.ok(
      { type: 'account.update', data: { id, code: '1250', name: 'Stock', description: 'Goods' } },
      'account',
    );
    expect(acc).toMatchObject({ code: '1250', name: 'Stock', description: 'Goods' });
    expect(ledger.account('1250')).toBe(id);
    ledger.ok({ type: 'account.create', data: { code: '1200', name: 'Reused', type: 'asset' } });
  });

  it('re-parents and moves the child link; null clears the parent', () => {
    const ledger = new Ledger();
    const [rent, opex, cogs] = [
      ledger.account('6100'),
      ledger.account('6000'),
      ledger.account('5000'),
    ];
    ledger.ok({ type: 'account.update', data: { id: rent, parentId: cogs } });
    expect(ledger.get(`account:${opex}`, 'account').childIds).not.toContain(rent);
    expect(ledger.get(`account:${cogs}`, 'account').childIds).toContain(rent);
    const acc = ledger.ok(
      { type: 'account.update', data: { id: rent, parentId: null, description: null } },
      'account',
    );
    expect(acc.parentId).toBeNull();
    expect(ledger.get(`account:${cogs}`, 'account').childIds).not.toContain(rent);
  });

  it('keeps the code when only its case changes', () => {
    const ledger = new Ledger();
    const id = ledger.ok(
      { type: 'account.create', data: { code: 'ab', name: 'X', type: 'asset' } },
      'account',
    ).id;
    const result = ledger.run({ type: 'account.update', data: { id, code: 'AB' } });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.events.flatMap(indexEntries)).toEqual([]);
  });

  it.each([
    [
      'unknown id',
      (l: Ledger): Command => ({ type: 'account.update', data: { id: 'acc_9999', name: 'X' } }),
      'not_found',
      'account_not_found',
    ],
    [
      'code taken',
      (l: Ledger): Command => ({
        type: 'account.update',
        data: { id: l.account('1200'), code: '1000' },
      }),
      'conflict',
      'account_code_taken',
    ],
    [
      'self as parent',
      (l: Ledger): Command => ({
        type: 'account.update',
        data: { id: l.account('6000'), parentId: l.account('6000') },
      }),
      'invalid',
      'account_cycle',
    ],
    [
      'descendant as parent',
      (l: Ledger): Command => ({
        type: 'account.update',
        data: { id: l.account('6000'), parentId: l.account('6100') },
      }),
      'invalid',
      'account_cycle',
    ],
    [
      'parent type',
      (l: Ledger): Command => ({
        type: 'account.update',
        data: { id: l.account('6100'), parentId: l.account('4000') },
      }),
      'invalid',
      'parent_type_mismatch',
    ],
    [
      'missing parent',
      (l: Ledger): Command => ({
        type: 'account.update',
        data: { id: l.account('6100'), parentId: 'acc_nope' },
      }),
      'invalid',
      'parent_reference_invalid',
    ],
  ])('refuses: %s', (_, command, kind, code) => {
    const ledger = new Ledger();
    refused(ledger, command(ledger), kind, code);
  });

  it('refuses a deeper cycle', () => {
    const ledger = new Ledger();
    const travel = ledger.ok(
      {
        type: 'account.create',
        data: {
          code: '6110',
          name: 'Office rent',
          type: 'expense',
          parentId: ledger.account('6100'),
        },
      },
      'account',
    );
    refused(
      ledger,
      { type: 'account.update', data: { id: ledger.account('6000'), parentId: travel.id } },
      'invalid',
      'account_cycle',
      'parentId',
    );
  });
});

describe('account.deactivate', () => {
  it('deactivates a leaf account', () => {
    const ledger = new Ledger();
    expect(
      ledger.ok({ type: 'account.deactivate', data: { id: ledger.account('1500') } }, 'account')
        .active,
    ).toBe(false);
  });

  it('allows the parent once its children are inactive', () => {
    const ledger = new Ledger();
    refused(
      ledger,
      { type: 'account.deactivate', data: { id: ledger.account('6000') } },
      'conflict',
      'account_has_active_children',
    );
    ledger.ok({ type: 'account.deactivate', data: { id: ledger.account('6100') } });
    ledger.ok({ type: 'account.deactivate', data: { id: ledger.account('6200') } });
    ledger.ok({ type: 'account.deactivate', data: { id: ledger.account('6000') } });
  });

  it.each([
    ['1100', 'account_in_use'],
    ['4000', 'account_in_use'],
    ['2150', 'account_in_use'],
  ])('refuses default account %s', (code, error) => {
    const ledger = new Ledger();
    refused(
      ledger,
      { type: 'account.deactivate', data: { id: ledger.account(code) } },
      'conflict',
      error,
    );
  });

  it('refuses twice and unknown ids', () => {
    const ledger = new Ledger();
    ledger.ok({ type: 'account.deactivate', data: { id: ledger.account('1500') } });
    refused(
      ledger,
      { type: 'account.deactivate', data: { id: ledger.account('1500') } },
      'conflict',
      'account_already_inactive',
    );
    refused(
      ledger,
      { type: 'account.deactivate', data: { id: 'acc_9999' } },
      'not_found',
      'account_not_found',
    );
  });

  it('keeps a deactivated code reserved', () => {
    const ledger = new Ledger();
    ledger.ok({ type: 'account.deactivate', data: { id: ledger.account('1500') } });
    refused(
      ledger,
      { type: 'account.create', data: { code: '1500', name: 'X', type: 'asset' } },
      'conflict',
      'account_code_taken',
    );
  });
});

describe('default chart', () => {
  it('is created for a new tenant with the settings mapping', () => {
    const ledger = new Ledger();
    expect(ledger.eventsOf('account.created')).toHaveLength(DEFAULT_CHART.length);
    const settings = ledger.get('settings', 'settings');
    expect(settings).toEqual({
      kind: 'settings',
      lockDate: null,
      accounts: {
        receivable: ledger.account('1100'),
        revenue: ledger.account('4000'),
        taxPayable: ledger.account('2100'),
        cash: ledger.account('1000'),
        unappliedPayments: ledger.account('2150'),
      },
    });
    expect(ledger.get(`account:${ledger.account('6200')}`, 'account').parentId).toBe(
      ledger.account('6000'),
    );
    expect(ledger.log.at(-1)?.event.type).toBe('tenant.initialized');
  });
});
