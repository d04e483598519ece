#!/usr/bin/env node
// npm run migrate: applies migrations/ to the local database (same settings as npm start),
// or to any PostgreSQL reachable over TCP with DB_BACKEND=postgres PG_HOST/PG_PORT.
import path from 'node:path';
import { startDbStack } from './lib/db-stack.mjs';
import { runMigrations } from './lib/migrate.mjs';
import { ROOT } from './lib/dev-keys.mjs';
import { stackOptionsFromEnv } from './lib/stack-env.mjs';

const stack = await startDbStack(stackOptionsFromEnv(path.join(ROOT, '.data')));
try {
  await runMigrations(stack);
  console.log(`migrations applied (${stack.backend})`);
} finally {
  await stack.stop();
}
