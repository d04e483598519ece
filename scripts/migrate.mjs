#!/usr/bin/env node
// npm run migrate: applies migrations/ (forward-only, expand/contract: docs/deploy.md).
//   DATABASE_URL set   that database, directly, with TLS as its sslmode says (Neon: the
//                      direct connection string with sslmode=verify-full; scripts/lib/pg-url.mjs)
//   DATABASE_URL unset the local stack (same settings as npm start: DB_BACKEND, PG_HOST,
//                      PG_PORT), through the WebSocket bridge the Worker uses locally
import path from 'node:path';
import { startDbStack } from './lib/db-stack.mjs';
import { runDirectMigrations, runMigrations } from './lib/migrate.mjs';
import { ROOT } from './lib/dev-keys.mjs';
import { redactedUrl } from './lib/pg-url.mjs';
import { stackOptionsFromEnv } from './lib/stack-env.mjs';

const url = process.env.DATABASE_URL;
if (url) {
  try {
    const { sslmode, tls } = await runDirectMigrations(url);
    console.log(
      `migrations applied to ${redactedUrl(url)} (sslmode=${sslmode}, ${tls ? 'TLS' : 'no TLS'})`,
    );
  } catch (err) {
    // The driver's message (refusal, certificate, auth) helps; the URL is shown without its password.
    console.error(`migrate: ${redactedUrl(url)}: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
} else {
  const stack = await startDbStack(stackOptionsFromEnv(path.join(ROOT, '.data')));
  try {
    await runMigrations(stack);
    console.log(`migrations applied (${stack.backend})`);
  } finally {
    await stack.stop();
  }
}
