#!/usr/bin/env node
// npm test: runs every suite (domain tests in Node, Worker suites inside workerd against
// PGlite and a throwaway PostgreSQL 15). The Worker suites start and stop their own
// database and bridge (test/setup/global-setup.ts). Extra args go to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/dev-keys.mjs';

// Hygiene first (npm run lint: ESLint, secretlint, wrangler types --check, the OpenAPI
// linters; then Prettier's format check; then the type check of src, durable-objects and
// test, which vitest does not do): a violation fails `npm test`, and so CI, before any suite
// runs. SKIP_LINT=1 skips them for quick local runs and says so.
if (process.env.SKIP_LINT === '1')
  console.warn('SKIP_LINT=1: lint, secret scan, format check and type check skipped');
else {
  const lint = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'lint', 'run.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (lint.status !== 0) {
    console.error('npm test: lint or secret scan failed (npm run lint)');
    process.exit(lint.status ?? 1);
  }
  const format = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'prettier'),
    ['--check', '.', '--log-level', 'warn'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (format.status !== 0) {
    console.error('npm test: code is not formatted as Prettier would (npm run format)');
    process.exit(format.status ?? 1);
  }
  // Two programs: the Worker and its tests, and the k6 scripts (test/load/k6/tsconfig.json,
  // against @types/k6 and only the syntax k6 strips).
  const tsc = (project) =>
    spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', project],
      { cwd: ROOT, stdio: 'inherit' },
    );
  const types = [ROOT, path.join(ROOT, 'test', 'load', 'k6')]
    .map(tsc)
    .find((r) => r.status !== 0) ?? { status: 0 };
  if (types.status !== 0) {
    console.error('npm test: type check failed (npm run typecheck)');
    process.exit(types.status ?? 1);
  }
}

const projects = ['--project', 'domain', '--project', 'tooling', '--project', 'workers'];
// PostgreSQL 15 from Debian is on this machine kind; skip that project only where it is not.
if (existsSync(process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin/initdb'))
  projects.push('--project', 'workers-pg15');
else
  console.warn(
    'PostgreSQL binaries not found: skipping the workers-pg15 project (apt-get install postgresql)',
  );

const args = process.argv.slice(2);
const run = spawnSync(
  path.join(ROOT, 'node_modules', '.bin', 'vitest'),
  ['run', ...(args.some((a) => a.startsWith('--project')) ? [] : projects), ...args],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);
process.exit(run.status ?? 1);
