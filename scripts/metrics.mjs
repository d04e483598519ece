#!/usr/bin/env node
// npm run metrics -- <query> [--since 1h] [--env production] [--sql]
// Runs one of ops/queries/*.sql against the Analytics Engine SQL API
// (CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN) and prints a table. --sql prints the
// filled-in SQL instead (nothing is sent). Without a query name, lists the queries.
import { parseArgs } from 'node:util';
import { authFromEnv, formatTable, loadQuery, queryNames, runSql } from './lib/analytics.mjs';

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      since: { type: 'string', default: '1h' },
      env: { type: 'string', default: 'production' },
      sql: { type: 'boolean', default: false },
    },
  });
} catch (err) {
  console.error(String(err.message ?? err));
  process.exit(2);
}
const [name] = args.positionals;
if (!name) {
  console.log(
    `usage: npm run metrics -- <query> [--since 1h] [--env production] [--sql]\nqueries: ${queryNames().join(', ')}`,
  );
  process.exit(2);
}
try {
  const sql = loadQuery(name, { since: args.values.since, env: args.values.env });
  if (args.values.sql) console.log(sql);
  else console.log(formatTable(await runSql(sql, authFromEnv())));
} catch (err) {
  console.error(`metrics: ${err.message ?? err}`);
  process.exit(1);
}
