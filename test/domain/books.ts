/** Whole-ledger invariants checked after every property run. */
import { expect } from 'vitest';
import { balanceOf } from './fixtures';
import type { Ledger } from './harness';

/**
 * Every entry balances per currency; each invoice's paidAmount equals the allocations that
 * reference it, never exceeds its total and drives its status; payments split exactly into
 * allocated + unallocated; receivable and customer-credit balances match the documents.
 */
export function checkBooks(ledger: Ledger): void {
  // Every entry balances per currency, hence so does the whole ledger.
  for (const { data } of ledger.eventsOf('journal.posted')) {
    const net = new Map<string, number>();
    for (const line of data.lines) {
      expect(Number.isSafeInteger(line.debit) && Number.isSafeInteger(line.credit)).toBe(true);
      expect(line.debit > 0 !== line.credit > 0).toBe(true);
      net.set(line.currency, (net.get(line.currency) ?? 0) + line.debit - line.credit);
    }
    for (const value of net.values()) expect(value).toBe(0);
  }
  const payments = [...ledger.streams.values()].filter((s) => s.kind === 'payment');
  let receivable = 0;
  for (const inv of [...ledger.streams.values()].filter((s) => s.kind === 'invoice')) {
    const applied = payments.flatMap((p) => p.allocations).filter((a) => a.invoiceId === inv.id);
    const paid = applied.reduce((s, a) => s + a.amount, 0);
    expect(inv.paidAmount).toBe(paid);
    expect(inv.payments.reduce((s, a) => s + a.amount, 0)).toBe(paid);
    expect(inv.paidAmount).toBeLessThanOrEqual(inv.total);
    if (paid === 0) expect(['draft', 'issued', 'void']).toContain(inv.status);
    else expect(inv.status).toBe(paid === inv.total ? 'paid' : 'partially_paid');
    if (inv.status !== 'draft' && inv.status !== 'void') receivable += inv.total - inv.paidAmount;
  }
  let unapplied = 0;
  for (const p of payments) {
    expect(p.allocatedAmount + p.unallocatedAmount).toBe(p.amount);
    expect(p.allocations.reduce((s, a) => s + a.amount, 0)).toBe(p.allocatedAmount);
    expect(p.unallocatedAmount).toBeGreaterThanOrEqual(0);
    unapplied += p.unallocatedAmount;
  }
  // Manual entries may also hit these accounts, so compare only the system-posted share.
  const systemOnly = (accountId: string) =>
    balanceOf(ledger, accountId) -
    ledger
      .eventsOf('journal.posted')
      .filter((e) => e.data.source.type === 'manual' || e.data.source.type === 'reversal')
      .flatMap((e) => e.data.lines)
      .filter((x) => x.accountId === accountId)
      .reduce((s, x) => s + x.debit - x.credit, 0);
  expect(systemOnly(ledger.account('1100'))).toBe(receivable);
  expect(systemOnly(ledger.account('2150'))).toBe(0 - unapplied);
}
