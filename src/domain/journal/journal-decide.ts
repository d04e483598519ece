/** Decisions for `journal.post` (manual entries) and `journal.reverse`. */
import { Checker, field } from '../checker';
import type { JournalPostInput, JournalReverseInput } from '../commands';
import {
  checkAccountRef,
  checkOpenPeriod,
  pending,
  requireEntity,
  requireSettings,
  today,
  type DecideContext,
  type Decision,
} from '../context';
import { refuse, refuseField } from '../errors';
import type { JournalLine } from '../events';
import { mirrorLines } from './journal';
import { addAmounts } from '../money';
import { streamIdOf } from '../state';

/** A manual entry may have at most this many lines. */
export const MAX_JOURNAL_LINES = 500;

function checkLines(c: Checker, raw: unknown, currency: string): JournalLine[] {
  return c.array('lines', raw, 2, MAX_JOURNAL_LINES).map((line, index) => {
    const path = `lines.${index}`;
    const accountId = c.id(`${path}.accountId`, field(line, 'accountId'));
    const rawCurrency = field(line, 'currency');
    const lineCurrency =
      rawCurrency === undefined || rawCurrency === null
        ? currency
        : c.currency(`${path}.currency`, rawCurrency);
    const [debit, credit] = [field(line, 'debit'), field(line, 'credit')];
    const given = (value: unknown): boolean => value !== undefined && value !== null && value !== 0;
    let amounts = { debit: 0, credit: 0 };
    if (given(debit) === given(credit)) {
      c.add(path, 'validation_failed', 'exactly one of debit or credit must be given');
    } else if (given(debit)) {
      amounts = { debit: c.amount(`${path}.debit`, debit, true), credit: 0 };
    } else {
      amounts = { debit: 0, credit: c.amount(`${path}.credit`, credit, true) };
    }
    const description = c.optText(`${path}.description`, field(line, 'description'), 200);
    return { lineNo: index + 1, accountId, currency: lineCurrency, ...amounts, description };
  });
}

/** Refuses `journal_unbalanced`, listing each currency whose debits and credits differ. */
function checkBalanced(lines: readonly JournalLine[]): void {
  const totals = new Map<string, { debit: number; credit: number }>();
  for (const line of lines) {
    const total = totals.get(line.currency) ?? { debit: 0, credit: 0 };
    totals.set(line.currency, {
      debit: addAmounts(total.debit, line.debit),
      credit: addAmounts(total.credit, line.credit),
    });
  }
  const errors = [...totals]
    .filter(([, t]) => t.debit !== t.credit)
    .map(([currency, t]) => ({
      path: 'lines',
      message: `${currency}: debits ${t.debit} do not equal credits ${t.credit}`,
    }));
  if (errors.length > 0) {
    refuse(
      'invalid',
      'journal_unbalanced',
      'Debits and credits must balance in every currency.',
      errors,
    );
  }
}

/**
 * Posts a manual entry: at least two lines, each with exactly one positive debit or credit,
 * balanced per currency (line currency defaults to the entry's), on active accounts, dated
 * after the lock date.
 */
export function postJournal(data: JournalPostInput, ctx: DecideContext): Decision {
  const c = new Checker();
  const date = c.date('date', data.date);
  const memo = c.optText('memo', data.memo, 1000);
  const currency = c.currency('currency', data.currency);
  const lines = checkLines(c, data.lines, currency);
  c.done();
  checkBalanced(lines);
  lines.forEach((line, index) =>
    checkAccountRef(c, ctx, `lines.${index}.accountId`, line.accountId),
  );
  checkOpenPeriod(c, requireSettings(ctx), 'date', date);
  c.done();
  const id = ctx.newId('je');
  const streamId = streamIdOf('journal', id);
  const entry = {
    id,
    date,
    memo,
    currency,
    source: { type: 'manual' as const, id: null },
    reversalOf: null,
    lines,
  };
  return { events: [pending(streamId, { type: 'journal.posted', data: entry })], streamId };
}

/**
 * Reverses a manual entry with its mirror image (debits ↔ credits) linked by `reversalOf`.
 * System entries are undone through their invoice or payment instead, and a reversal is
 * final (reverse the original again is refused; reversing the reversal would be confusing).
 * The primary resource of the result is the new reversing entry.
 */
export function reverseJournal(data: JournalReverseInput, ctx: DecideContext): Decision {
  const original = requireEntity(ctx, 'journal', data.id);
  if (original.source.type === 'reversal') {
    refuse('conflict', 'journal_is_reversal', 'A reversing entry cannot itself be reversed.');
  }
  if (original.source.type !== 'manual') {
    refuse(
      'conflict',
      'journal_system_entry',
      'This entry was posted by an invoice or payment; void or correct that instead.',
    );
  }
  if (original.reversedBy !== null) {
    refuse('conflict', 'journal_already_reversed', 'The journal entry has already been reversed.');
  }
  const c = new Checker();
  const date = data.date === undefined ? today(ctx) : c.date('date', data.date);
  const memo = c.optText('memo', data.memo, 1000) ?? `Reversal of ${original.id}`;
  c.done();
  if (date < original.date)
    refuseField('date_before_original', 'date', `must be on or after ${original.date}`);
  checkOpenPeriod(c, requireSettings(ctx), 'date', date);
  c.done();
  const id = ctx.newId('je');
  const streamId = streamIdOf('journal', id);
  const entry = {
    id,
    date,
    memo,
    currency: original.currency,
    source: { type: 'reversal' as const, id: original.id },
    reversalOf: original.id,
    lines: mirrorLines(original.lines),
  };
  return {
    events: [
      pending(streamId, { type: 'journal.posted', data: entry }),
      pending(streamIdOf('journal', original.id), {
        type: 'journal.reversed',
        data: { id: original.id, reversedBy: id, date },
      }),
    ],
    streamId,
  };
}
