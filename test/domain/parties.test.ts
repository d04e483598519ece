import { describe, expect, it } from 'vitest';
import type { PartyKind } from '../../src/domain/index';
import { refused } from '../fixtures/domain/fixtures';
import { Ledger } from '../fixtures/domain/harness';

describe.each<[PartyKind, string]>([
  ['customer', 'cus_'],
  ['vendor', 'ven_'],
])('%s', (kind, prefix) => {
  it('creates, updates (null clears) and deactivates', () => {
    const ledger = new Ledger();
    const created = ledger.ok(
      {
        type: `${kind}.create`,
        data: {
          name: '  Globex  ',
          email: 'billing@globex.test',
          taxId: 'DE123',
          defaultCurrency: 'EUR',
        },
      },
      kind,
    );
    expect(created).toMatchObject({
      name: 'Globex',
      email: 'billing@globex.test',
      taxId: 'DE123',
      defaultCurrency: 'EUR',
      active: true,
    });
    expect(created.id.startsWith(prefix)).toBe(true);
    const updated = ledger.ok(
      { type: `${kind}.update`, data: { id: created.id, email: null, name: 'Globex GmbH' } },
      kind,
    );
    expect(updated).toMatchObject({
      name: 'Globex GmbH',
      email: null,
      taxId: 'DE123',
      defaultCurrency: 'EUR',
    });
    expect(ledger.ok({ type: `${kind}.deactivate`, data: { id: created.id } }, kind).active).toBe(
      false,
    );
    refused(
      ledger,
      { type: `${kind}.deactivate`, data: { id: created.id } },
      'conflict',
      `${kind}_already_inactive`,
    );
    expect(
      ledger.ok({ type: `${kind}.update`, data: { id: created.id, taxId: null } }, kind),
    ).toMatchObject({ active: false, taxId: null });
  });

  it.each([
    [{ name: '' }, 'validation_failed', 'name'],
    [{ name: 'x'.repeat(201) }, 'validation_failed', 'name'],
    [{ name: 'A', email: 'not-an-email' }, 'validation_failed', 'email'],
    [{ name: 'A', defaultCurrency: 'euro' }, 'invalid_currency', 'defaultCurrency'],
    [{ name: 'A', taxId: 't'.repeat(51) }, 'validation_failed', 'taxId'],
  ])('refuses %j', (data, code, path) => {
    refused(new Ledger(), { type: `${kind}.create`, data }, 'invalid', code, path);
  });

  it('refuses unknown ids', () => {
    const ledger = new Ledger();
    refused(
      ledger,
      { type: `${kind}.update`, data: { id: `${prefix}9999`, name: 'X' } },
      'not_found',
      `${kind}_not_found`,
    );
    refused(
      ledger,
      { type: `${kind}.deactivate`, data: { id: `${prefix}9999` } },
      'not_found',
      `${kind}_not_found`,
    );
  });
});

it('does not confuse customers and vendors with the same id space', () => {
  const ledger = new Ledger();
  const vendor = ledger.ok({ type: 'vendor.create', data: { name: 'Initech' } }, 'vendor');
  refused(
    ledger,
    { type: 'customer.deactivate', data: { id: vendor.id } },
    'not_found',
    'customer_not_found',
  );
});
