/** Small SQL building blocks shared by the queries (bound parameters only). */
import { gte, lte, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { DateRange } from './filters';

/** `column = any($1::text[])`: one array parameter however many ids (batched child loads). */
export function anyId(column: PgColumn | SQL, ids: readonly string[]): SQL {
  return sql`${column} = any(${sql.param([...ids])}::text[])`;
}

/** Appends `from <= column <= to` for the ends the range has. */
export function inRange(out: SQL[], column: PgColumn, range: DateRange | undefined): void {
  if (range?.from !== undefined) out.push(gte(column, range.from));
  if (range?.to !== undefined) out.push(lte(column, range.to));
}

/** The rows of a raw `tx.execute` result (drizzle's neon-serverless driver returns a pg QueryResult). */
export function rowsOf<R>(result: { rows: unknown[] }): R[] {
  return result.rows as R[];
}
