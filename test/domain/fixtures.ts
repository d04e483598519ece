/** Small builders shared by the domain tests. */
import { expect } from 'vitest';
import type { Command, DecideResult, InvoiceLineInput } from '../../src/domain/index';
import { Ledger } from './harness';

/** A fresh ledger with one active customer (`cus_0001`). */
export function ledgerWithCustomer(): { ledger: Ledger; customerId: string } {
  const ledger = new Ledger();
  const customer = ledger.ok({ type: 'customer.create', data: { name: 'Acme Ltd', email: 'ap@acme.test' } }, 'customer');
  return { ledger, customerId: customer.id };
}

/** One line worth `unitAmount` with optional tax. */
export function line(unitAmount: number, taxRatePpm = 0, quantityMilli = 1000): InvoiceLineInput {
  return { description: 'Consulting', quantityMilli, unitAmount, taxRatePpm };
}

/** Creates (and by default issues) an invoice of the given lines; returns its id. */
export function invoice(
  ledger: Ledger,
  customerId: string,
  lines: InvoiceLineInput[] = [line(10_000, 100_000)],
  opts: { issue?: boolean; currency?: string; issueDate?: string } = {},
): string {
  const created = ledger.ok(
    {
      type: 'invoice.create',
      data: {
        customerId,
        currency: opts.currency ?? 'USD',
        issueDate: opts.issueDate ?? '2024-06-01',
        dueDate: '2024-07-01',
        lines,
      },
    },
    'invoice',
  );
  if (opts.issue !== false) ledger.ok({ type: 'invoice.issue', data: { id: created.id } });
  return created.id;
}

/** Asserts a refusal with the given kind/code (and field path, when given). */
export function expectRefused(result: DecideResult, kind: string, code: string, path?: string): void {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) return;
  expect(result.error.kind).toBe(kind);
  expect(result.error.code).toBe(code);
  if (path !== undefined) expect(result.error.errors?.map((e) => e.path)).toContain(path);
}

/** Runs a command expecting refusal and that nothing was appended. */
export function refused(ledger: Ledger, command: Command, kind: string, code: string, path?: string): void {
  const before = ledger.log.length;
  expectRefused(ledger.run(command), kind, code, path);
  expect(ledger.log.length).toBe(before);
}

/** Σ debit − Σ credit of one account over all posted lines. */
export function balanceOf(ledger: Ledger, accountId: string): number {
  return ledger
    .eventsOf('journal.posted')
    .flatMap((e) => e.data.lines)
    .filter((l) => l.accountId === accountId)
    .reduce((sum, l) => sum + l.debit - l.credit, 0);
}
