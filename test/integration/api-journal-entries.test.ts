/** `/v1/journal-entries`: balanced manual entries and their reversal. */
import { describe, expect, it } from 'vitest';
import { openBooks, positionOf } from '../fixtures/books';
import { expectJson, expectProblem, get, patch, post } from '../fixtures/http';

const entry = (cash: string, revenue: string, over: Record<string, unknown> = {}) => ({
  date: '2025-02-10',
  memo: 'Cash sale',
  currency: 'USD',
  lines: [
    { accountId: cash, debit: 5_000 },
    { accountId: revenue, credit: 5_000, description: 'Sale' },
  ],
  ...over,
});

describe('journal entries', () => {
  it('post → 201 with the posted lines; GET answers the same', async () => {
    const { t, accounts } = await openBooks();
    const res = await post(t, '/v1/journal-entries', entry(accounts.cash, accounts.revenue));
    const je = await expectJson(res, 201);
    expect(je).toMatchObject({
      date: '2025-02-10',
      memo: 'Cash sale',
      currency: 'USD',
      source: { type: 'manual', id: null },
      reversalOf: null,
      reversedBy: null,
      lines: [
        {
          lineNo: 1,
          accountId: accounts.cash,
          currency: 'USD',
          debit: 5_000,
          credit: 0,
          description: null,
        },
        {
          lineNo: 2,
          accountId: accounts.revenue,
          currency: 'USD',
          debit: 0,
          credit: 5_000,
          description: 'Sale',
        },
      ],
    });
    expect(res.headers.get('Location')).toBe(`/v1/journal-entries/${je.id}`);
    expect(await expectJson(await get(t, `/v1/journal-entries/${je.id}`), 200)).toEqual(je);
  });

  it('reverse → 201 with the mirror entry; the original shows reversedBy; If-Match names the original', async () => {
    const { t, accounts } = await openBooks();
    const je = await expectJson(
      await post(t, '/v1/journal-entries', entry(accounts.cash, accounts.revenue)),
      201,
    );
    const res = await post(
      t,
      `/v1/journal-entries/${je.id}/reverse`,
      { date: '2025-02-11', memo: 'Oops' },
      { 'If-Match': '"1"' },
    );
    const reversal = await expectJson(res, 201);
    expect(reversal).toMatchObject({
      date: '2025-02-11',
      reversalOf: je.id,
      source: { type: 'reversal', id: je.id },
    });
    expect(res.headers.get('Location')).toBe(`/v1/journal-entries/${reversal.id}`);
    expect(await expectJson(await get(t, `/v1/journal-entries/${je.id}`), 200)).toMatchObject({
      reversedBy: reversal.id,
    });
    await expectProblem(
      await post(t, `/v1/journal-entries/${je.id}/reverse`),
      409,
      'journal_already_reversed',
    );
    // The reverse body is optional: no body means "today".
    const other = await expectJson(
      await post(t, '/v1/journal-entries', entry(accounts.cash, accounts.revenue)),
      201,
    );
    await expectJson(await post(t, `/v1/journal-entries/${other.id}/reverse`), 201);
  });

  it('an unbalanced entry is 422 journal_unbalanced and nothing is written', async () => {
    const { t, accounts } = await openBooks();
    const before = await positionOf(t);
    const lines = [
      { accountId: accounts.cash, debit: 5_000 },
      { accountId: accounts.revenue, credit: 4_999 },
    ];
    const problem = await expectProblem(
      await post(t, '/v1/journal-entries', entry(accounts.cash, accounts.revenue, { lines })),
      422,
      'journal_unbalanced',
    );
    expect(problem.errors).toEqual([
      { path: 'lines', message: 'USD: debits 5000 do not equal credits 4999' },
    ]);
    expect(await positionOf(t)).toBe(before);
  });

  it('other refusals: unknown account 422, locked period 422 period_locked, unknown entry 404', async () => {
    const { t, accounts } = await openBooks();
    const lines = [
      { accountId: 'acc_nope', debit: 100 },
      { accountId: accounts.revenue, credit: 100 },
    ];
    const missing = await expectProblem(
      await post(t, '/v1/journal-entries', entry(accounts.cash, accounts.revenue, { lines })),
      422,
      'account_reference_invalid',
    );
    expect(missing.errors).toEqual([
      { path: 'lines.0.accountId', message: 'account does not exist' },
    ]);
    await expectJson(await patch(t, '/v1/settings', { lockDate: '2025-03-31' }), 200);
    const locked = await expectProblem(
      await post(t, '/v1/journal-entries', entry(accounts.cash, accounts.revenue)),
      422,
      'period_locked',
    );
    expect(locked.errors).toEqual([
      { path: 'date', message: 'must be after the lock date 2025-03-31' },
    ]);
    await expectProblem(
      await post(t, '/v1/journal-entries/je_nope/reverse'),
      404,
      'journal_not_found',
    );
    await expectProblem(await get(t, '/v1/journal-entries/je_nope'), 404, 'journal_not_found');
  });

  it('validation: dates, currencies, amounts, line count and unknown keys → 400', async () => {
    const { t, accounts } = await openBooks();
    const base = entry(accounts.cash, accounts.revenue);
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ date: '2025-02-30' }, 'date', 'must be a valid date (YYYY-MM-DD)'],
      [{ date: '10/02/2025' }, 'date', 'must be a valid date (YYYY-MM-DD)'],
      [{ currency: 'usd' }, 'currency', 'must be a three-letter ISO 4217 currency code'],
      [{ lines: [base.lines[0]] }, 'lines', 'must have at least 2 lines'],
      [{ lines: 'many' }, 'lines', 'must be a list'],
      [
        { lines: [{ accountId: accounts.cash, debit: 50.5 }, base.lines[1]] },
        'lines.0.debit',
        'must be an integer number of minor units',
      ],
      [
        { lines: [{ accountId: accounts.cash, debit: '5000' }, base.lines[1]] },
        'lines.0.debit',
        'must be an integer number of minor units',
      ],
      [
        { lines: [base.lines[0], { account: accounts.revenue, credit: 5_000 }] },
        'lines.1.account',
        'is not a known field',
      ],
      [{ posted: true }, 'posted', 'is not a known field'],
    ];
    for (const [over, path, message] of cases) {
      const problem = await expectProblem(
        await post(t, '/v1/journal-entries', { ...base, ...over }),
        400,
        'validation_failed',
      );
      expect(problem.errors, JSON.stringify(over)).toContainEqual({ path, message });
    }
    for (const line of [
      { accountId: accounts.cash, debit: 1, credit: 1 },
      { accountId: accounts.cash },
    ]) {
      const problem = await expectProblem(
        await post(t, '/v1/journal-entries', { ...base, lines: [line, base.lines[1]] }),
        400,
        'validation_failed',
      );
      expect(problem.errors).toEqual([
        { path: 'lines.0', message: 'exactly one of debit or credit must be given' },
      ]);
    }
    // Amount ranges are business rules, answered by the ledger with 422.
    const negative = [{ accountId: accounts.cash, debit: -5 }, base.lines[1]];
    await expectProblem(
      await post(t, '/v1/journal-entries', { ...base, lines: negative }),
      422,
      'amount_not_positive',
    );
    await expectProblem(
      await post(t, '/v1/journal-entries/je_x1/reverse', { date: 'tomorrow' }),
      400,
      'validation_failed',
    );
  });
});
