#!/usr/bin/env node
// npm test: runs every suite (domain tests in Node, Worker suites inside workerd against
// PGlite and a throwaway PostgreSQL 15). The Worker suites start and stop their own
// database and bridge (test/setup/global-setup.ts). Extra args go to vitest.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './lib/dev-keys.mjs';

const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);

/**
 * Runs a command; `buffered` keeps its output until it ends (then prints it in one piece), so
 * steps running side by side do not interleave their lines.
 */
function run(command, args, { buffered = false } = {}) {
  return new Promise((resolve) => {
    // Each step its own process group, so a stop reaches what it started too (workerd).
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      detached: true,
    });
    running.add(child);
    const chunks = [];
    child.stdout?.on('data', (c) => chunks.push(c));
    child.stderr?.on('data', (c) => chunks.push(c));
    // A command that cannot start emits only 'error'.
    child.on('error', (err) => {
      running.delete(child);
      resolve({ status: 1, output: `${command}: ${err.message}\n` });
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ status: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks).toString() });
    });
  });
}

// Ctrl-C or a CI timeout stops the steps and lanes and everything they started (they end,
// their lanes fail, and the run cleans up and exits non-zero below) instead of leaving them
// running.
const running = new Set();
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    for (const child of running) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    }
  });

// Hygiene first (npm run lint: ESLint, secretlint, wrangler types --check, the OpenAPI
// linters; Prettier's format check; the type check of src, durable-objects and test, which
// vitest does not do, and of the k6 scripts against @types/k6): a violation fails `npm test`,
// and so CI, before any suite runs. They run side by side (ESLint takes one core).
// SKIP_LINT=1 skips them for quick local runs and says so.
if (process.env.SKIP_LINT === '1')
  console.warn('SKIP_LINT=1: lint, secret scan, format check and type check skipped');
else {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const steps = [
    [
      'npm run lint: ESLint',
      'lint failed',
      process.execPath,
      ['scripts/lint/run.mjs', '--part', 'eslint'],
    ],
    [
      'npm run lint: secretlint, wrangler types, OpenAPI',
      'secret scan, binding types or OpenAPI lint failed',
      process.execPath,
      ['scripts/lint/run.mjs', '--part', 'others'],
    ],
    [
      'prettier --check',
      'code is not formatted as Prettier would (npm run format)',
      bin('prettier'),
      ['--check', '.', '--log-level', 'warn'],
    ],
    [
      'tsc',
      'type check failed (npm run typecheck)',
      process.execPath,
      [tsc, '--noEmit', '-p', '.'],
    ],
    [
      'tsc (k6)',
      'type check of the k6 scripts failed (npm run typecheck)',
      process.execPath,
      [tsc, '--noEmit', '-p', 'test/load/k6'],
    ],
  ];
  const results = await Promise.all(
    steps.map(([, , cmd, args]) => run(cmd, args, { buffered: true })),
  );
  let failed = false;
  results.forEach(({ status, output }, i) => {
    process.stdout.write(output);
    if (status !== 0) {
      console.error(`npm test: ${steps[i][1]} (${steps[i][0]})`);
      failed = true;
    }
  });
  if (failed) process.exit(1);
}

// The suites run in two lanes at once (vitest.config.ts):
// - `workers` (PGlite) one file at a time: PGlite is a single database session that the bridge
//   hands to one connection at a time, so suites side by side would wait on each other past
//   their database deadlines;
// - everything else several files at a time: most of their time is spent waiting (timers,
//   sockets, workerd), not computing. PostgreSQL 15 serves each connection on its own.
// The PGlite lane's output is printed when the other lane ends. `npm test -- --project X …`
// runs vitest once with exactly what it is given; `npm test -- <files>` once over every project.
// One Worker bundle for the whole run (scripts/bench/bundle-cache.mjs), removed at the end.
const bundles = mkdtempSync(path.join(tmpdir(), 'finance-edge-test-bundles-'));
process.env.FINANCE_EDGE_BUNDLE_CACHE = bundles;
const args = process.argv.slice(2);
const vitest = (lane, options) => run(bin('vitest'), ['run', ...lane, ...args], options);
const parallel = ['--project', 'domain', '--project', 'tooling'];
// PostgreSQL 15 from Debian is on this machine kind; skip that project only where it is not.
if (existsSync(process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin/initdb'))
  parallel.push('--project', 'workers-pg15');
else
  console.warn(
    'PostgreSQL binaries not found: skipping the workers-pg15 project (apt-get install postgresql)',
  );
let runs;
if (args.some((a) => a.startsWith('--project'))) runs = [await vitest([])];
// Files named: one vitest over every project (the PGlite group after the others).
else if (args.length > 0) runs = [await vitest([...parallel, '--project', 'workers'])];
else {
  const pglite = vitest(['--project', 'workers'], { buffered: true });
  const rest = await vitest(parallel);
  const lane = await pglite;
  console.log('\n── the workers project (PGlite), run beside the others ──');
  process.stdout.write(lane.output);
  runs = [rest, lane];
}
rmSync(bundles, { recursive: true, force: true });
process.exit(runs.every((r) => r.status === 0) ? 0 : 1);
