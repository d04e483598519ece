#!/usr/bin/env node
// node scripts/bench/big-tenant.mjs [--db pglite|postgres-temp] [--quick] [--plans]  (Node 22: npx node …)
// Only the `reads` section's 100k-invoice tenant (reads-100k.mjs): the insert, the EXPLAIN
// (ANALYZE, BUFFERS) of the AR aging statements, and each list/report endpoint timed with
// caching off at 1 connection, without the 100/1000-connection mixes before it. For working
// on one query; the figures of record come from `npm run bench`.
import { flags } from '../lib/args.mjs';
import { bigTenant } from './reads-100k.mjs';
import { cleanupAll, prepare } from './stack.mjs';

const f = flags({
  db: { type: 'string', default: 'pglite' },
  quick: { type: 'boolean', default: false },
  plans: { type: 'boolean', default: false },
});
if (!['pglite', 'postgres-temp'].includes(f.db)) {
  console.error(`--db must be pglite or postgres-temp (got "${f.db}")`);
  process.exit(2);
}
const log = (msg) => console.log(msg);
let code = 0;
try {
  const ctx = await prepare({ backend: f.db, log });
  const big = await bigTenant(ctx, { quick: f.quick, log });
  if (big.skipped) throw new Error(big.skipped);
  if (f.plans) for (const p of big.plans) log(`\nas of ${p.asOf}:\n${p.plan}`);
} catch (err) {
  console.error(`failed: ${err?.stack ?? err}`);
  code = 1;
} finally {
  await cleanupAll();
}
process.exit(code);
