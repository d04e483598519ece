/**
 * What a principal's reads wait for by default (src/ledger/session-positions.ts): the
 * positions acknowledged to it, per read family its writes moved, so a write only holds the
 * cached reads it can change; nothing of another principal's or another tenant's.
 */
import { describe, expect, it } from 'vitest';
import { acknowledged, sessionPosition } from '../../src/ledger/session-positions';

let n = 0;
const tenant = () => `sp-${(n += 1)}`;

describe('session positions', () => {
  it("a customer write holds the principal's customer lists and search, not its invoice lists or reports", () => {
    const t = tenant();
    acknowledged(t, 'alice', 12, ['customers']);
    expect(sessionPosition(t, 'alice', '/v1/customers')).toBe(12);
    expect(sessionPosition(t, 'alice', '/v1/search')).toBe(12);
    expect(sessionPosition(t, 'alice', '/v1/invoices')).toBeUndefined();
    expect(sessionPosition(t, 'alice', '/v1/reports/ar-aging')).toBeUndefined();
    // An invoice write later: the invoice reads wait for it, the customer reads still for 12.
    acknowledged(t, 'alice', 15, ['invoices']);
    expect(sessionPosition(t, 'alice', '/v1/invoices')).toBe(15);
    expect(sessionPosition(t, 'alice', '/v1/reports/ar-aging')).toBe(15);
    expect(sessionPosition(t, 'alice', '/v1/customers')).toBe(12);
  });

  it('never moves back, and an answer without families (an older ledger) holds every read', () => {
    const t = tenant();
    acknowledged(t, 'bob', 30, ['payments']);
    acknowledged(t, 'bob', 20, ['payments']); // an idempotent replay of an older write
    expect(sessionPosition(t, 'bob', '/v1/payments')).toBe(30);
    acknowledged(t, 'bob', 31);
    expect(sessionPosition(t, 'bob', '/v1/accounts')).toBe(31);
    expect(sessionPosition(t, 'bob', '/v1/vendors')).toBe(31);
  });

  it('is per tenant and subject; a write that moves no cached read holds nothing', () => {
    const t = tenant();
    acknowledged(t, 'carol', 7, ['customers']);
    expect(sessionPosition(t, 'dave', '/v1/customers')).toBeUndefined();
    expect(sessionPosition(tenant(), 'carol', '/v1/customers')).toBeUndefined();
    acknowledged(t, 'erin', 9, []); // settings.updated moves no family
    expect(sessionPosition(t, 'erin', '/v1/customers')).toBeUndefined();
  });
});
