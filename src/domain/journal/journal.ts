/** Journal entry aggregate state, its evolution and helpers to build postings. */
import type { EventsFor, JournalEntryData, JournalLine, JournalSource } from '../events';
import { addAmounts } from '../money';

/** A posted entry; `reversedBy` is set once another entry reverses it. */
export interface JournalState extends JournalEntryData {
  kind: 'journal';
  reversedBy: string | null;
}

/** Applies one `journal.*` event. Throws when the event does not fit. */
export function evolveJournal(
  state: JournalState | undefined,
  event: EventsFor<'journal'>,
): JournalState {
  if (event.type === 'journal.posted') {
    if (state !== undefined) throw new Error('journal.posted on an existing stream');
    const { id, date, memo, currency, source, reversalOf, lines } = event.data;
    return {
      kind: 'journal',
      id,
      date,
      memo,
      currency,
      source: { ...source },
      reversalOf,
      lines: lines.map((line) => ({ ...line })),
      reversedBy: null,
    };
  }
  if (state === undefined) throw new Error('journal.reversed before journal.posted');
  return { ...state, reversedBy: event.data.reversedBy };
}

/** A line the system wants to post, before numbering. */
export interface Posting {
  accountId: string;
  debit: number;
  credit: number;
  description: string | null;
}

/** Everything needed to build a system journal entry in one currency. */
export interface EntryDraft {
  id: string;
  date: string;
  memo: string | null;
  currency: string;
  source: JournalSource;
  reversalOf: string | null;
  postings: Posting[];
}

/** Numbers the postings (from 1) and drops zero lines, which carry no information. */
export function buildEntry(draft: EntryDraft): JournalEntryData {
  const lines: JournalLine[] = draft.postings
    .filter((p) => p.debit !== 0 || p.credit !== 0)
    .map((p, index) => ({
      lineNo: index + 1,
      accountId: p.accountId,
      currency: draft.currency,
      debit: p.debit,
      credit: p.credit,
      description: p.description,
    }));
  const { id, date, memo, currency, source, reversalOf } = draft;
  return { id, date, memo, currency, source, reversalOf, lines };
}

/** The mirror of posted lines: debits become credits and vice versa, same numbering. */
export function mirrorLines(lines: readonly JournalLine[]): JournalLine[] {
  return lines.map((line) => ({ ...line, debit: line.credit, credit: line.debit }));
}

/**
 * Sums postings per account in first-seen order, so an invoice with many lines on one
 * revenue account posts one credit line for it.
 */
export function groupByAccount(
  items: readonly { accountId: string; amount: number }[],
): { accountId: string; amount: number }[] {
  const totals = new Map<string, number>();
  for (const item of items)
    totals.set(item.accountId, addAmounts(totals.get(item.accountId) ?? 0, item.amount));
  return [...totals].map(([accountId, amount]) => ({ accountId, amount }));
}
