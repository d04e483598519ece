#!/usr/bin/env node
// npm test: runs every suite (domain tests in Node, Worker suites inside workerd against
// PGlite and a throwaway PostgreSQL 15). The Worker suites start and stop their own
// database and bridge (test/setup/global-setup.ts). Extra args go to vitest.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
function stopAll(signal) {
  for (const child of running) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      child.kill(signal);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal));

const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

/**
 * Hygiene (npm run lint: ESLint, secretlint, wrangler types --check, the OpenAPI linters;
 * Prettier's format check; the type check of src, durable-objects and test, which vitest does
 * not do, and of the k6 scripts against @types/k6), every step side by side and beside the
 * suites: the run is CPU-bound, and a phase of its own left a core idle while ESLint finished.
 * A violation fails `npm test`, and so CI, once the steps end: the suites still running are
 * stopped then. Resolves true when every step passed.
 */
async function hygiene() {
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
      // One checker thread: beside ESLint and Prettier, tsc's default of several took 3 times
      // the CPU and was no faster (README, "Tests").
      [tsc, '--noEmit', '--singleThreaded', '-p', '.'],
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
  console.log('\n── lint, format check, type check ──');
  results.forEach(({ status, output }, i) => {
    process.stdout.write(output);
    if (status !== 0) {
      console.error(`npm test: ${steps[i][1]} (${steps[i][0]})`);
      failed = true;
    }
  });
  console.log(`── hygiene ${failed ? 'FAILED' : 'passed'} in ${seconds()} ──\n`);
  if (failed) stopAll('SIGTERM');
  return !failed;
}

// The suites run in two lanes at once (vitest.config.ts):
// - `workers` (PGlite) one file at a time: PGlite is a single database session that the bridge
//   hands to one connection at a time, so suites side by side would wait on each other past
//   their database deadlines;
// - everything else several files at a time: most of their time is spent waiting (timers,
//   sockets, workerd), not computing. PostgreSQL 15 serves each connection on its own.
// The PGlite lane's output is printed when the other lane ends. `npm test -- --project X …`
// runs vitest once with exactly what it is given; `npm test -- <files>` once over every project.
// One Worker bundle (scripts/bench/bundle-cache.mjs) and one blank PGlite cluster
// (scripts/lib/pglite-image.mjs) for the whole run, in a directory removed at the end.
const runDir = mkdtempSync(path.join(tmpdir(), 'finance-edge-test-run-'));
process.env.FINANCE_EDGE_BUNDLE_CACHE = path.join(runDir, 'bundles');
mkdirSync(process.env.FINANCE_EDGE_BUNDLE_CACHE);
process.env.FINANCE_EDGE_PGLITE_IMAGE = path.join(runDir, 'pglite-blank.tar');
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
async function suites() {
  if (args.some((a) => a.startsWith('--project'))) return [await vitest([])];
  // Files named: one vitest over every project (the PGlite group after the others).
  if (args.length > 0) return [await vitest([...parallel, '--project', 'workers'])];
  const pglite = vitest(['--project', 'workers'], { buffered: true }).then((lane) => ({
    ...lane,
    seconds: seconds(),
  }));
  const rest = await vitest(parallel);
  console.log(`── domain, tooling, workers-pg15 ended after ${seconds()} ──`);
  const lane = await pglite;
  console.log(`\n── the workers project (PGlite), run beside the others (${lane.seconds}) ──`);
  process.stdout.write(lane.output);
  return [rest, lane];
}

if (process.env.SKIP_LINT === '1')
  console.warn('SKIP_LINT=1: lint, secret scan, format check and type check skipped');
const [clean, runs] = await Promise.all([
  process.env.SKIP_LINT === '1' ? true : hygiene(),
  suites(),
]);
rmSync(runDir, { recursive: true, force: true });
console.log(`npm test: ${seconds()}`);
process.exit(clean && runs.every((r) => r.status === 0) ? 0 : 1);
