/**
 * Read families (src/read/families.ts): which events move which family, how the projection's
 * record of them advances, how it is read back, and which version keys a route's entries.
 * That the tables are complete (every changed answer changes its key) is asserted end to end
 * in read-families.db.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  advanceFamilies,
  FAMILIES,
  familiesMovedBy,
  keyVersion,
  parseFamilies,
  ROUTE_READS,
  type FamilyVersions,
} from '../../src/read/families';

const at = (position: number) =>
  Object.fromEntries(FAMILIES.map((f) => [f, position])) as FamilyVersions;

describe('read families', () => {
  it('a new customer moves the customer lists, a changed one also what embeds customers', () => {
    expect(familiesMovedBy('customer.created')).toEqual(['customers']);
    expect(familiesMovedBy('customer.updated')).toEqual(['customers', 'customer-details']);
    expect(familiesMovedBy('vendor.deactivated')).toEqual(['vendors', 'vendor-details']);
    expect(familiesMovedBy('tenant.initialized')).toEqual([]);
    expect(() => familiesMovedBy('invoice.teleported')).toThrow('unknown event type');
    expect(() => familiesMovedBy('constructor')).toThrow('unknown event type');
  });

  it('advances each family to the last delivered event that moves it; unrecorded families start at the previous checkpoint', () => {
    const known: Partial<FamilyVersions> = { ...at(3), invoices: 5 };
    delete known['vendor-details'];
    const next = advanceFamilies(known, 8, [
      { type: 'customer.created', position: 9 },
      { type: 'invoice.created', position: 10 },
      { type: 'invoice.issued', position: 11 },
      { type: 'journal.posted', position: 12 },
    ]);
    expect(next).toEqual({
      ...at(3),
      'vendor-details': 8,
      customers: 9,
      invoices: 11,
      journal: 12,
    });
    // Re-delivered older events (a reset read model) never move a family back.
    expect(advanceFamilies(next, 12, [{ type: 'invoice.created', position: 4 }]).invoices).toBe(11);
  });

  it('reads back what was stored, at most the checkpoint; anything unknown or unreadable is at the checkpoint', () => {
    const stored = JSON.stringify({ ...at(2), customers: 7, invoices: 30 });
    expect(parseFamilies(stored, 20)).toEqual({ ...at(2), customers: 7, invoices: 20 });
    expect(parseFamilies(undefined, 20)).toEqual(at(20));
    expect(parseFamilies('{not json', 20)).toEqual(at(20));
    expect(parseFamilies(JSON.stringify({ customers: '7', invoices: 1.5 }), 20)).toEqual(at(20));
    expect(parseFamilies(JSON.stringify({ customers: 7 }), 20)).toEqual({
      ...at(20),
      customers: 7,
    });
  });

  it('keys a route by the newest of the families it reads', () => {
    const v = { ...at(1), customers: 40, 'customer-details': 5, invoices: 9, journal: 30 };
    expect(keyVersion(v, '/v1/customers')).toBe(40);
    expect(keyVersion(v, '/v1/invoices')).toBe(9);
    expect(keyVersion(v, '/v1/reports/ar-aging')).toBe(30);
    expect(keyVersion(v, '/v1/reports/dashboard')).toBe(9);
    expect(keyVersion(v, '/v1/search')).toBe(40);
    for (const reads of Object.values(ROUTE_READS)) expect(reads.length).toBeGreaterThan(0);
  });
});
