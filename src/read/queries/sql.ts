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

/** How a child table hangs off its parent: [child column, parent column] pairs, both equal. */
export interface ChildLink {
  tenant: [child: PgColumn, parent: PgColumn];
  key: [child: PgColumn, parent: PgColumn];
}

/**
 * A correlated subquery for a select list: the current row's children as a JSON array (`[]`
 * when it has none), one object per child with the keys of `fields`, ordered by `orderBy`. A
 * page and its children then come back in one statement, one round trip to Postgres, instead
 * of a query for the page and one per child table. Dates arrive as 'YYYY-MM-DD' and integers
 * as JSON numbers; money still goes through safeInt, which refuses anything from 2^53 on.
 */
export function childrenJson<T>(
  fields: Record<string, PgColumn>,
  link: ChildLink,
  orderBy: PgColumn[],
): SQL<T[]> {
  const pairs = Object.entries(fields).map(([key, column]) => {
    if (!/^[A-Za-z]+$/.test(key)) throw new Error(`childrenJson: bad key ${key}`);
    return sql`${sql.raw(`'${key}'`)}, ${column}`;
  });
  const [childKey, parentKey] = link.key;
  const [childTenant, parentTenant] = link.tenant;
  return sql<
    T[]
  >`coalesce((select json_agg(json_build_object(${sql.join(pairs, sql`, `)}) order by ${sql.join(orderBy, sql`, `)})
    from ${childKey.table} where ${childTenant} = ${parentTenant} and ${childKey} = ${parentKey}), '[]'::json)`;
}
