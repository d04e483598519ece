// The SQL the AR aging report runs, for EXPLAIN in the bench (db-child.mjs `bulk` `explain`):
// src/read/queries/ar-aging.ts bundled with esbuild (drizzle included, so its `sql` objects
// and the dialect that renders them come from one copy) and called with a transaction that
// records each statement instead of running it. No copy of the query lives here.
import { build } from 'esbuild';
import { ROOT } from '../lib/dev-keys.mjs';

let loaded = null;

async function load() {
  const out = await build({
    stdin: {
      contents: `export { arAging } from './src/read/queries/ar-aging';
export { PgDialect } from 'drizzle-orm/pg-core';`,
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/**
 * The statements (`{ sql, params }`, parameters bound as `$n`) of `GET /v1/reports/ar-aging`
 * for `tenantId` on each date of `asOfs` (`extra`: more parameters, e.g. `page`), as the
 * report's query sends them, each with a `label`. The recording transaction answers every
 * statement with no rows.
 */
export async function agingStatements(tenantId, asOfs, extra = {}) {
  loaded ??= await load();
  const { arAging, PgDialect } = loaded;
  const dialect = new PgDialect();
  const statements = [];
  for (const asOf of asOfs) {
    let n = 0;
    const tx = {
      execute: async (query) => {
        const { sql, params } = dialect.sqlToQuery(query);
        const label = extra.page ? `page of ${extra.page.limit}, statement ${++n}` : 'whole report';
        statements.push({ asOf, label, sql, params });
        return { rows: [] };
      },
    };
    await arAging(tx, { tenantId, asOf, ...extra });
  }
  return statements;
}
