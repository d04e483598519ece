// The OpenAPI step of `npm run lint`: builds the document the Worker serves
// (scripts/openapi.mjs) and lints it with Redocly CLI (recommended, scripts/lint/redocly.yaml)
// and Spectral (spectral:oas, scripts/lint/spectral.yaml). Both must report 0 errors and
// 0 warnings; each prints its counts.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildDocument } from '../openapi.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'node_modules', '.bin');

function run(bin, args) {
  return spawnSync(path.join(BIN, bin), args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: {
      ...process.env,
      NO_COLOR: '1',
      REDOCLY_TELEMETRY: 'off',
      REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
    },
  });
}

/**
 * Redocly reads its ignore file beside its config, keyed by the linted file's path: both are
 * copied next to the generated document so the committed exceptions (redocly-ignore.yaml, each
 * with its reason) apply to it.
 */
function redocly(file) {
  const dir = path.dirname(file);
  copyFileSync(path.join(import.meta.dirname, 'redocly.yaml'), path.join(dir, 'redocly.yaml'));
  copyFileSync(
    path.join(import.meta.dirname, 'redocly-ignore.yaml'),
    path.join(dir, '.redocly.lint-ignore.yaml'),
  );
  const out = run('redocly', [
    'lint',
    file,
    '--config',
    path.join(dir, 'redocly.yaml'),
    '--format',
    'json',
  ]);
  let report;
  try {
    report = JSON.parse(out.stdout);
  } catch {
    console.log(out.stdout + out.stderr);
    return false;
  }
  const { errors, warnings } = report.totals;
  for (const p of report.problems)
    console.log(
      `  redocly ${p.severity} ${p.ruleId}: ${p.message} (${p.location?.[0]?.pointer ?? ''})`,
    );
  console.log(`redocly (recommended): ${errors} errors, ${warnings} warnings`);
  return errors === 0 && warnings === 0;
}

function spectral(file) {
  const out = run('spectral', [
    'lint',
    file,
    '--ruleset',
    path.join(import.meta.dirname, 'spectral.yaml'),
    '--format',
    'json',
    '--quiet',
  ]);
  let results;
  try {
    results = out.stdout.trim() ? JSON.parse(out.stdout) : [];
  } catch {
    console.log(out.stdout + out.stderr);
    return false;
  }
  // Severity: 0 error, 1 warning, 2 info, 3 hint.
  const errors = results.filter((r) => r.severity === 0).length;
  const warnings = results.filter((r) => r.severity === 1).length;
  for (const r of results.filter((x) => x.severity <= 1))
    console.log(
      `  spectral ${r.severity === 0 ? 'error' : 'warning'} ${r.code}: ${r.message} (${r.path.join('.')})`,
    );
  console.log(`spectral (spectral:oas): ${errors} errors, ${warnings} warnings`);
  return errors === 0 && warnings === 0;
}

/** Lints the served document; true when both linters are clean. */
export async function lintOpenApi() {
  const dir = mkdtempSync(path.join(tmpdir(), 'finance-edge-lint-'));
  try {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(await buildDocument(), null, 2));
    const a = redocly(file);
    const b = spectral(file);
    return a && b;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
