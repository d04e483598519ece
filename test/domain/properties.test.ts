/**
 * Property tests: random sequences of commands (many of them refused) against the in-memory
 * ledger must keep the books consistent, and replaying the log must rebuild the same state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBooks } from '../fixtures/domain/books';
import type { Ledger } from '../fixtures/domain/harness';
import { ids, newLedger, ops, pick, type Op } from '../fixtures/domain/random-ops';

function runAll(program: Op[]): Ledger {
  const ledger = newLedger();
  for (const op of program) {
    const before = { log: ledger.log.length, streams: new Map(ledger.streams) };
    const result = ledger.run(op(ledger));
    if (!result.ok) {
      // A refused command appends nothing and changes no state.
      expect(ledger.log.length).toBe(before.log);
      expect(ledger.streams).toEqual(before.streams);
      for (const [id, state] of before.streams) expect(ledger.streams.get(id)).toBe(state);
    } else {
      expect(result.events.length).toBeGreaterThan(0);
      expect(ledger.streams.has(result.streamId)).toBe(true);
    }
  }
  return ledger;
}

describe('ledger properties', () => {
  it('keeps the books consistent and replayable under random commands', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(...ops), { minLength: 1, maxLength: 60 }), (program) => {
        const ledger = runAll(program);
        checkBooks(ledger);
        const replayed = ledger.replay();
        expect(replayed).toEqual(ledger.streams);
        for (const [id, state] of ledger.streams)
          expect(JSON.stringify(replayed.get(id))).toBe(JSON.stringify(state));
      }),
      { numRuns: 200 },
    );
  });

  it('accepts a healthy share of the random commands (the generator is not vacuous)', () => {
    const accepted = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(fc.oneof(...ops), { minLength: 30, maxLength: 80 }), (program) => {
        const ledger = newLedger();
        for (const op of program) {
          const command = op(ledger);
          if (ledger.run(command).ok)
            accepted.set(command.type, (accepted.get(command.type) ?? 0) + 1);
        }
      }),
      { numRuns: 100, seed: 42 },
    );
    const types = [
      'invoice.create',
      'invoice.issue',
      'invoice.void',
      'payment.record',
      'journal.post',
      'journal.reverse',
    ];
    for (const type of types) {
      expect(accepted.get(type) ?? 0, type).toBeGreaterThan(0);
    }
  });

  it('applies payments and later allocations to invoices without ever over-applying', () => {
    const lineArb = fc.record({
      quantityMilli: fc.integer({ min: 1, max: 5000 }),
      unitAmount: fc.integer({ min: 0, max: 20_000 }),
      taxRatePpm: fc.constantFrom(0, 50_000, 88_750, 200_000),
    });
    let allocations = 0;
    let settled = 0;
    fc.assert(
      fc.property(
        fc.array(fc.array(lineArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
        fc.array(
          fc.record({ amount: fc.integer({ min: 1, max: 60_000 }), first: fc.nat(20_000) }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.array(
          fc.record({
            p: fc.nat(),
            i: fc.nat(),
            amount: fc.integer({ min: 1, max: 30_000 }),
            settle: fc.boolean(),
          }),
          { maxLength: 8 },
        ),
        (invoices, payments, later) => {
          const ledger = newLedger();
          const customerId = ids(ledger, 'customer')[0] ?? '';
          const invoiceIds = invoices.map((lines) => {
            const data = {
              customerId,
              currency: 'USD',
              issueDate: '2024-06-01',
              dueDate: '2024-06-30',
              lines: lines.map((x) => ({ ...x, description: 'Item' })),
            };
            const id = ledger.ok({ type: 'invoice.create', data }, 'invoice').id;
            ledger.run({ type: 'invoice.issue', data: { id } }); // refused when the total is 0
            return id;
          });
          const paymentIds = payments.flatMap(({ amount, first }) => {
            const r = ledger.run({
              type: 'payment.record',
              data: {
                customerId,
                amount,
                currency: 'USD',
                date: '2024-06-02',
                method: 'card',
                allocations: [{ invoiceId: invoiceIds[0] ?? '', amount: first + 1 }],
              },
            });
            return r.ok ? [r.streamId.slice('payment:'.length)] : [];
          });
          for (const step of later) {
            const id = pick(paymentIds, step.p) ?? 'none';
            const invoiceId = pick(invoiceIds, step.i) ?? '';
            // `settle` asks for exactly the open balance, so fully paid invoices are common too.
            const inv = ledger.get(`invoice:${invoiceId}`, 'invoice');
            const amount = step.settle ? Math.max(1, inv.total - inv.paidAmount) : step.amount;
            const r = ledger.run({
              type: 'payment.allocate',
              data: { id, allocations: [{ invoiceId, amount }] },
            });
            if (r.ok) allocations += 1;
          }
          checkBooks(ledger);
          settled += invoiceIds.filter(
            (id) => ledger.get(`invoice:${id}`, 'invoice').status === 'paid',
          ).length;
          expect(ledger.replay()).toEqual(ledger.streams);
        },
      ),
      { numRuns: 200 },
    );
    expect(allocations).toBeGreaterThan(20);
    expect(settled).toBeGreaterThan(10);
  });
});
