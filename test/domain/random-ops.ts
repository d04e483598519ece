/**
 * Random command generators for the property tests. Picks refer to existing entities by
 * index (modulo how many exist) and lean towards commands that can succeed, while still
 * producing plenty of invalid amounts, dates and references that must be refused.
 */
import fc from 'fast-check';
import type { AggregateState, Command } from '../../src/domain/index';
import { Ledger } from './harness';

const DATES = ['2024-05-31', '2024-06-01', '2024-06-05', '2024-06-10', '2024-06-15', '2024-06-20'];
const CURRENCIES = ['USD', 'EUR'];
const CODES = ['1000', '1100', '1500', '2000', '3000', '4000', '4100', '6100'];
const REVENUE_CODES = ['4000', '4100', '4000', '4100', '1500'];

export const pick = <T>(items: readonly T[], index: number): T | undefined => (items.length === 0 ? undefined : items[index % items.length]);
export const ids = (ledger: Ledger, kind: AggregateState['kind']): string[] =>
  [...ledger.streams.values()].filter((s) => s.kind === kind).map((s) => ('id' in s ? s.id : ''));

export type Op = (ledger: Ledger) => Command;

/** The customer's open invoices, or all of its invoices when none is open. */
const invoicesOf = (ledger: Ledger, customerId: string): string[] => {
  const all = [...ledger.streams.values()].flatMap((s) => (s.kind === 'invoice' && s.customerId === customerId ? [s] : []));
  const open = all.filter((s) => s.status === 'issued' || s.status === 'partially_paid');
  return (open.length > 0 ? open : all).map((s) => s.id);
};
/** Payments with credit left for a customer with open invoices first, else any payment. */
const withCredit = (ledger: Ledger): string[] => {
  const payments = [...ledger.streams.values()].flatMap((s) => (s.kind === 'payment' ? [s] : []));
  const useful = payments.filter((p) => p.unallocatedAmount > 0 && invoicesOf(ledger, p.customerId).some((id) => ledger.get(`invoice:${id}`, 'invoice').status !== 'draft'));
  return (useful.length > 0 ? useful : payments).map((p) => p.id);
};
/** Drafts when there are any (issuing those can succeed), else any invoice. */
const draftsFirst = (ledger: Ledger): string[] => {
  const drafts = [...ledger.streams.values()].flatMap((s) => (s.kind === 'invoice' && s.status === 'draft' ? [s.id] : []));
  return drafts.length > 0 ? drafts : ids(ledger, 'invoice');
};

// Weights per op below: invoices and payments often, lock/deactivation moves rarely.
const WEIGHTS = [1, 1, 6, 5, 2, 6, 5, 2, 3, 2, 1, 1];

const idx = fc.nat(50);
const money = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 5000 }), weight: 9 }, { arbitrary: fc.constantFrom(0, -1, 1.5), weight: 1 });
const small = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 100 }), weight: 3 }, { arbitrary: money, weight: 1 });
const date = fc.constantFrom(...DATES, '2024-02-30');
const currency = fc.constantFrom(...CURRENCIES);

export const ops: fc.WeightedArbitrary<Op>[] = [
  fc.constant((): Command => ({ type: 'customer.create', data: { name: 'Customer' } })),
  idx.map((i) => (l: Ledger): Command => ({ type: 'customer.deactivate', data: { id: pick(ids(l, 'customer'), i) ?? 'none' } })),
  fc.record({ c: idx, cur: currency, d: date, lines: fc.array(fc.record({ q: fc.integer({ min: 0, max: 5000 }), u: money, t: fc.constantFrom(0, 50_000, 88_750), a: fc.option(idx) }), { maxLength: 4 }) }).map(
    ({ c, cur, d, lines }) => (l: Ledger): Command => ({
      type: 'invoice.create',
      data: {
        customerId: pick(ids(l, 'customer'), c) ?? 'none',
        currency: cur,
        issueDate: d,
        dueDate: '2024-07-31',
        lines: lines.map((x) => ({ description: 'Item', quantityMilli: x.q, unitAmount: x.u, taxRatePpm: x.t, revenueAccountId: x.a === null ? null : l.account(pick(REVENUE_CODES, x.a) ?? '4000') })),
      },
    }),
  ),
  idx.map((i) => (l: Ledger): Command => ({ type: 'invoice.issue', data: { id: pick(draftsFirst(l), i) ?? 'none' } })),
  fc.tuple(idx, date).map(([i, d]) => (l: Ledger): Command => ({ type: 'invoice.void', data: { id: pick(ids(l, 'invoice'), i) ?? 'none', date: d } })),
  // Allocations mostly target the paying customer's invoices so that many are accepted.
  fc.record({ c: idx, amount: money, cur: fc.option(currency), d: date, allocs: fc.oneof(fc.constant<[number, number][]>([]), fc.array(fc.tuple(idx, small), { maxLength: 3 })) }).map(
    ({ c, amount, cur, d, allocs }) => (l: Ledger): Command => {
      const customerId = pick(ids(l, 'customer'), c) ?? 'none';
      const candidates = invoicesOf(l, customerId);
      return {
        type: 'payment.record',
        data: {
          customerId,
          amount,
          currency: cur ?? (candidates[0] === undefined ? 'USD' : l.get(`invoice:${candidates[0]}`, 'invoice').currency),
          date: d,
          method: 'bank_transfer',
          allocations: allocs.map(([i, a]) => ({ invoiceId: pick(candidates, i) ?? 'none', amount: a })),
        },
      };
    },
  ),
  fc.record({ p: idx, d: fc.option(date, { freq: 2 }), allocs: fc.array(fc.tuple(idx, small), { maxLength: 3 }) }).map(
    ({ p, d, allocs }) => (l: Ledger): Command => {
      const id = pick(withCredit(l), p) ?? 'none';
      const payment = l.streams.get(`payment:${id}`);
      const candidates = payment?.kind === 'payment' ? invoicesOf(l, payment.customerId) : [];
      return {
        type: 'payment.allocate',
        data: { id, ...(d === null ? {} : { date: d }), allocations: allocs.map(([i, a]) => ({ invoiceId: pick(candidates, i) ?? 'none', amount: a })) },
      };
    },
  ),
  fc.record({ d: date, lines: fc.array(fc.record({ a: idx, amount: money, debit: fc.boolean(), cur: fc.option(currency) }), { maxLength: 5 }) }).map(
    ({ d, lines }) => (l: Ledger): Command => ({
      type: 'journal.post',
      data: {
        date: d,
        currency: 'USD',
        lines: lines.map((x) => ({ accountId: l.account(pick(CODES, x.a) ?? '1000'), ...(x.debit ? { debit: x.amount } : { credit: x.amount }), ...(x.cur === null ? {} : { currency: x.cur }) })),
      },
    }),
  ),
  // A balanced pair, so that accepted manual entries are common too.
  fc.record({ d: date, a: idx, b: idx, amount: money, cur: currency }).map(
    ({ d, a, b, amount, cur }) => (l: Ledger): Command => ({
      type: 'journal.post',
      data: { date: d, currency: cur, lines: [{ accountId: l.account(pick(CODES, a) ?? '1000'), debit: amount }, { accountId: l.account(pick(CODES, b) ?? '3000'), credit: amount }] },
    }),
  ),
  fc.tuple(idx, fc.option(date)).map(([i, d]) => (l: Ledger): Command => ({ type: 'journal.reverse', data: { id: pick(ids(l, 'journal'), i) ?? 'none', ...(d === null ? {} : { date: d }) } })),
  fc.option(fc.constantFrom('2024-05-31', '2024-06-01', '2024-06-05', '2024-02-30')).map((d) => (): Command => ({ type: 'settings.update', data: { lockDate: d } })),
  idx.map((i) => (l: Ledger): Command => ({ type: 'account.deactivate', data: { id: l.account(pick(CODES, i) ?? '1500') } })),
].map((arbitrary, i) => ({ arbitrary, weight: WEIGHTS[i] ?? 1 }));

/** A ledger with two customers, so that invoices and payments can succeed from the start. */
export function newLedger(): Ledger {
  const ledger = new Ledger();
  ledger.ok({ type: 'customer.create', data: { name: 'Alpha' } });
  ledger.ok({ type: 'customer.create', data: { name: 'Beta' } });
  return ledger;
}
