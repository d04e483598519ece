/**
 * Journal entry list: newest first (`date desc, id desc`), filtered by date range, source
 * type and account (entries with at least one line on it). One query: the page with each
 * entry's lines as a JSON array (childrenJson).
 */
import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { JournalSource } from '../../domain/events';
import { journalEntries, journalLines } from '../schema';
import type { TenantTx } from '../tenant-tx';
import { dateRange, oneOf, resourceId, type DateRange } from './filters';
import { finishPage, keysetAfter, startPage, type Page, type PageRequest } from './page';
import { childrenJson, inRange } from './sql';
import { journalLineView, type JournalEntryView, type JournalLineView } from './views';

export const JOURNAL_SOURCE_TYPES: readonly JournalSource['type'][] = [
  'manual',
  'invoice',
  'invoice_void',
  'payment',
  'reversal',
];

/** Filters of the journal entry list; all optional, combined with AND. */
export interface JournalEntryFilters {
  date?: DateRange;
  /** Entries with at least one line on this account. */
  accountId?: string;
  sourceType?: JournalSource['type'];
}

export interface JournalEntryListParams extends PageRequest {
  filters?: JournalEntryFilters;
}

const HEADER = {
  id: journalEntries.id,
  date: journalEntries.date,
  memo: journalEntries.memo,
  currency: journalEntries.currency,
  sourceType: journalEntries.sourceType,
  sourceId: journalEntries.sourceId,
  reversalOf: journalEntries.reversalOf,
  reversedBy: journalEntries.reversedBy,
  lines: childrenJson<JournalLineView>(
    {
      lineNo: journalLines.lineNo,
      accountId: journalLines.accountId,
      currency: journalLines.currency,
      debit: journalLines.debit,
      credit: journalLines.credit,
      description: journalLines.description,
    },
    {
      tenant: [journalLines.tenantId, journalEntries.tenantId],
      key: [journalLines.journalId, journalEntries.id],
    },
    [journalLines.lineNo],
  ),
};

type Row = Pick<typeof journalEntries.$inferSelect, Exclude<keyof typeof HEADER, 'lines'>> & {
  lines: JournalLineView[];
};

/** Checks the filters, limit and cursor (no database); `listJournalEntries` starts with it. */
export async function prepareJournalEntryList(params: JournalEntryListParams) {
  const raw = params.filters ?? {};
  const f = {
    date: dateRange('filters.date', raw.date),
    accountId:
      raw.accountId === undefined ? undefined : resourceId('filters.accountId', raw.accountId),
    sourceType:
      raw.sourceType === undefined
        ? undefined
        : oneOf('filters.sourceType', raw.sourceType, JOURNAL_SOURCE_TYPES),
  };
  return { f, paging: await startPage('journal-entries', params, f, ['string', 'string']) };
}

/** Lists journal entries in the shape of `toView`, `limit` per page. */
export async function listJournalEntries(
  tx: TenantTx,
  params: JournalEntryListParams,
): Promise<Page<JournalEntryView>> {
  const { f, paging } = await prepareJournalEntryList(params);
  const where: SQL[] = [eq(journalEntries.tenantId, params.tenantId)];
  if (f.sourceType !== undefined) where.push(eq(journalEntries.sourceType, f.sourceType));
  inRange(where, journalEntries.date, f.date);
  if (paging.after !== null) {
    where.push(
      keysetAfter(
        [
          { column: journalEntries.date, cast: 'date' },
          { column: journalEntries.id, cast: 'text' },
        ],
        paging.after,
        'desc',
      ),
    );
  }
  if (f.accountId !== undefined) {
    // Lines carry the entry date, so the same date bounds narrow the line lookup too.
    const touching: SQL[] = [
      eq(journalLines.tenantId, params.tenantId),
      eq(journalLines.accountId, f.accountId),
    ];
    inRange(touching, journalLines.date, f.date);
    where.push(
      inArray(
        journalEntries.id,
        tx
          .select({ id: journalLines.journalId })
          .from(journalLines)
          .where(and(...touching)),
      ),
    );
  }
  const rows = await tx
    .select(HEADER)
    .from(journalEntries)
    .where(and(...where))
    .orderBy(desc(journalEntries.date), desc(journalEntries.id))
    .limit(paging.limit + 1);
  return finishPage(
    paging,
    rows,
    (r) => [r.date, r.id],
    (page) => page.map(toEntryView),
  );
}

function toEntryView(e: Row): JournalEntryView {
  return {
    id: e.id,
    date: e.date,
    memo: e.memo,
    currency: e.currency,
    source: { type: e.sourceType, id: e.sourceId },
    reversalOf: e.reversalOf,
    reversedBy: e.reversedBy,
    lines: e.lines.map(journalLineView),
  };
}
