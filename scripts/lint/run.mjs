#!/usr/bin/env node
// npm run lint (and the first step of npm test): ESLint over the code (no eval, new Function
// or implied eval: scripts/lint/eslint.config.js), then secretlint over every file git tracks
// or would track (untracked files that .gitignore does not exclude), so a secret is caught
// before it is committed, then `wrangler types --check`: the committed
// src/worker-configuration.d.ts must match wrangler.toml, then the served OpenAPI document
// through Redocly and Spectral (scripts/lint/openapi.mjs: 0 errors, 0 warnings). Exits
// non-zero on any finding.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import './typescript-6.mjs';
import { ESLint } from 'eslint';
import { lintOpenApi } from './openapi.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HERE = import.meta.dirname;
export const LINTED = ['src', 'durable-objects', 'scripts', 'test', 'vitest.config.ts'];

async function eslint() {
  const linter = new ESLint({
    cwd: ROOT,
    overrideConfigFile: path.join(HERE, 'eslint.config.js'),
    errorOnUnmatchedPattern: false,
  });
  const results = await linter.lintFiles(LINTED);
  const errors = results.reduce((n, r) => n + r.errorCount, 0);
  const output = await (await linter.loadFormatter('stylish')).format(results);
  if (output) console.log(output);
  console.log(`eslint: ${results.length} files, ${errors} errors`);
  return errors === 0;
}

function trackedFiles() {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (git.status !== 0) throw new Error(`git ls-files failed: ${git.stderr}`);
  return [...new Set(git.stdout.split('\0'))].filter((f) => f && existsSync(path.join(ROOT, f)));
}

function secretlint() {
  const bin = [
    path.join(ROOT, 'node_modules', '.bin', 'secretlint'),
    path.join(HERE, 'node_modules', '.bin', 'secretlint'),
  ].find(existsSync);
  if (!bin) throw new Error('secretlint is not installed: run npm install');
  const files = trackedFiles();
  const run = spawnSync(
    bin,
    ['--secretlintrc', path.join(HERE, 'secretlintrc.json'), '--maskSecrets', ...files],
    { cwd: ROOT, stdio: 'inherit' },
  );
  console.log(
    `secretlint: ${files.length} files, ${run.status === 0 ? 'no secrets' : 'FINDINGS (see above)'}`,
  );
  return run.status === 0;
}

/** The generated `Env` types match wrangler.toml (the same arguments as `npm run types`). */
function bindingTypes() {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const args = pkg.scripts.types.split(/\s+/).slice(1);
  const run = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'wrangler'), [...args, '--check'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const ok = run.status === 0;
  console.log(
    `wrangler types: ${ok ? 'src/worker-configuration.d.ts is up to date' : 'OUT OF DATE: run npm run types and commit the result'}`,
  );
  if (!ok) console.log(run.stdout + run.stderr);
  return ok;
}

// `--part eslint` runs ESLint alone, `--part others` the rest: `npm test` runs the two side
// by side (ESLint keeps one core busy; the rest are child processes).
const part = process.argv.includes('--part')
  ? process.argv[process.argv.indexOf('--part') + 1]
  : '';
if (part !== '' && part !== 'eslint' && part !== 'others') {
  console.error(`lint: --part must be eslint or others, not ${part}`);
  process.exit(2);
}
const lintOk = part === 'others' || (await eslint());
const othersOk =
  part === 'eslint' || [secretlint(), bindingTypes(), await lintOpenApi()].every(Boolean);
process.exit(lintOk && othersOk ? 0 : 1);
