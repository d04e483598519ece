/**
 * Postgres I/O of a projection batch: loads the rows the batch changes (one query per
 * entity table) and flushes the whole batch, checkpoint included, in ONE statement of
 * data-modifying CTEs, so the number of round trips depends on neither the number of
 * events nor the number of tables touched.
 */
import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { SQL, SQLChunk } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { Batch, type EntityKey, type EntityRows } from './projection-batch';
import type { TenantTx } from './tenant-tx';
import {
  accountBalances,
  accounts,
  customers,
  invoiceLines,
  invoices,
  journalEntries,
  journalLines,
  paymentAllocations,
  payments,
  projectionCheckpoints,
  tenantSettings,
  vendors,
} from './schema';

/** A drizzle transaction on the read-model database (the same type as a tenant transaction's). */
export type Tx = TenantTx;

const ENTITY_TABLES = { accounts, journalEntries, invoices, payments, customers, vendors } as const;

/** Ids per `in (...)` list when loading or re-coding rows. */
const IDS_PER_QUERY = 5_000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const list = (items: SQLChunk[]): SQL => sql.join(items, sql`, `);

/**
 * The rows as ONE jsonb parameter expanded over the table's own row type. Postgres parses
 * one parameter far faster than thousands of bind parameters (about 5x on PGlite), and
 * every value still goes through its drizzle column's driver mapping.
 */
function recordset<T extends PgTable>(
  table: T,
  rows: readonly T['$inferInsert'][],
): { columns: SQL; source: SQL } {
  const columns = Object.values(getTableColumns(table)).filter((c) => c.generated === undefined);
  const json = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, column] of Object.entries(getTableColumns(table))) {
      if (column.generated !== undefined) continue;
      const value = (row as Record<string, unknown>)[key];
      out[column.name] =
        value === null || value === undefined ? null : column.mapToDriverValue(value);
    }
    return out;
  });
  return {
    columns: list(columns.map((c) => sql.identifier(c.name))),
    source: sql`jsonb_populate_recordset(null::${table}, ${JSON.stringify(json)}::jsonb)`,
  };
}

/**
 * Multi-row `insert ... on conflict (target) do update`, or null for no rows. `set` maps
 * column names to expressions; by default every non-key column takes the new value.
 */
function upsert<T extends PgTable>(
  table: T,
  rows: readonly T['$inferInsert'][],
  target: PgColumn[],
  set?: Record<string, SQL>,
): SQL | null {
  if (rows.length === 0) return null;
  const { columns, source } = recordset(table, rows);
  const assignments =
    set ??
    Object.fromEntries(
      Object.values(getTableColumns(table))
        .filter((c) => !target.includes(c) && c.generated === undefined)
        .map((c) => [c.name, sql`excluded.${sql.identifier(c.name)}`]),
    );
  const updates = list(
    Object.entries(assignments).map(([name, value]) => sql`${sql.identifier(name)} = ${value}`),
  );
  const keys = list(target.map((c) => sql.identifier(c.name)));
  return sql`insert into ${table} (${columns}) select ${columns} from ${source} on conflict (${keys}) do update set ${updates}`;
}

/** Loads the rows the batch will change into it; a missing row fails the batch later. */
export async function loadRows(
  tx: Tx,
  batch: Batch,
  needed: Map<EntityKey, Set<string>>,
): Promise<void> {
  for (const [key, ids] of needed) {
    const table = ENTITY_TABLES[key] as typeof accounts;
    for (const chunk of chunks([...ids], IDS_PER_QUERY)) {
      const rows = await tx
        .select()
        .from(table)
        .where(and(eq(table.tenantId, batch.tenantId), inArray(table.id, chunk)));
      for (const row of rows as EntityRows[typeof key][]) batch.addLoaded(key, row);
    }
  }
}

/**
 * Accounts re-coded in this batch first move to a placeholder code (`#` + id, which no
 * valid code can be), so that codes traded between accounts never hit the unique index
 * mid-statement; the batch's final codes are unique, as in the ledger. A separate
 * statement, since one statement may not change a row twice.
 */
async function moveRecodedAccounts(tx: Tx, batch: Batch): Promise<void> {
  const moved = [...batch.loadedAccountCodes]
    .filter(([id, code]) => batch.entities.accounts.get(id)?.code !== code)
    .map(([id]) => id);
  for (const chunk of chunks(moved, IDS_PER_QUERY)) {
    await tx
      .update(accounts)
      .set({ code: sql`'#' || ${accounts.id}` })
      .where(and(eq(accounts.tenantId, batch.tenantId), inArray(accounts.id, chunk)));
  }
}

/**
 * Lines of invoices that existed before the batch and whose lines it replaced, minus the
 * ones the batch writes again: disjoint from the upserted rows, so both fit one statement.
 */
function deleteReplacedInvoiceLines(batch: Batch): SQL | null {
  const replaced = [...batch.invoiceLines].filter(([id]) => batch.loaded.invoices.has(id));
  if (replaced.length === 0) return null;
  const keep = replaced.flatMap(([, lines]) => lines);
  const { source } = recordset(invoiceLines, keep);
  const ids = list(replaced.map(([id]) => sql`${id}`));
  return sql`delete from ${invoiceLines} d where d.tenant_id = ${batch.tenantId} and d.invoice_id in (${ids})
    and not exists (select 1 from ${source} k where k.invoice_id = d.invoice_id and k.line_no = d.line_no)`;
}

/** Balance deltas are added to the running totals (new rows start from the delta). */
function upsertBalances(batch: Batch): SQL | null {
  const rows = [...batch.balances.values()].map((d) => ({
    tenantId: batch.tenantId,
    accountId: d.accountId,
    currency: d.currency,
    debitTotal: d.debit,
    creditTotal: d.credit,
    lastPosition: d.lastPosition,
  }));
  return upsert(
    accountBalances,
    rows,
    [accountBalances.tenantId, accountBalances.accountId, accountBalances.currency],
    {
      debit_total: sql`${accountBalances.debitTotal} + excluded.debit_total`,
      credit_total: sql`${accountBalances.creditTotal} + excluded.credit_total`,
      last_position: sql`excluded.last_position`,
    },
  );
}

const values = <K extends EntityKey>(batch: Batch, key: K): EntityRows[K][] => [
  ...batch.entities[key].values(),
];

/** Flushes everything the batch created or changed and moves the checkpoint to `position`. */
export async function writeBatch(tx: Tx, batch: Batch, position: number): Promise<void> {
  await moveRecodedAccounts(tx, batch);
  const t = batch.tenantId;
  const writes = [
    upsert(accounts, values(batch, 'accounts'), [accounts.tenantId, accounts.id]),
    upsert(journalEntries, values(batch, 'journalEntries'), [
      journalEntries.tenantId,
      journalEntries.id,
    ]),
    upsert(journalLines, batch.journalLines, [
      journalLines.tenantId,
      journalLines.journalId,
      journalLines.lineNo,
    ]),
    upsert(invoices, values(batch, 'invoices'), [invoices.tenantId, invoices.id]),
    deleteReplacedInvoiceLines(batch),
    upsert(invoiceLines, [...batch.invoiceLines.values()].flat(), [
      invoiceLines.tenantId,
      invoiceLines.invoiceId,
      invoiceLines.lineNo,
    ]),
    upsert(payments, values(batch, 'payments'), [payments.tenantId, payments.id]),
    upsert(paymentAllocations, batch.allocations, [
      paymentAllocations.tenantId,
      paymentAllocations.paymentId,
      paymentAllocations.position,
      paymentAllocations.seq,
    ]),
    upsert(customers, values(batch, 'customers'), [customers.tenantId, customers.id]),
    upsert(vendors, values(batch, 'vendors'), [vendors.tenantId, vendors.id]),
    upsertBalances(batch),
    batch.settings === null
      ? null
      : upsert(tenantSettings, [batch.settings], [tenantSettings.tenantId]),
    sql`update ${projectionCheckpoints} set position = ${position}, updated_at = now() where tenant_id = ${t}`,
  ].filter((w): w is SQL => w !== null);
  // Data-modifying CTEs all run, to completion, whether or not the final select reads them.
  const ctes = list(writes.map((w, i) => sql`${sql.identifier(`w${i}`)} as (${w})`));
  await tx.execute(sql`with ${ctes} select 1`);
}
