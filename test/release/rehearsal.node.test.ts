/**
 * `npm run release:rehearse`: the controller against two local builds behind the splitter,
 * under a bounded write load. The healthy canary must reach 100 %, the faulty one must be
 * rolled back on error_rate, and every acknowledged write must be in the ledger and the read
 * model — all read from the run's last line, which the rehearsal computes (not assumes).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function run(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, script), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run release', () => {
  it('--dry-run prints the production plan with its exact commands and gates', async () => {
    const r = await run('scripts/release.mjs', ['--env', 'production', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'release plan for production (finance-edge-production), from ops/rollout-plan.json',
    );
    for (const p of [10, 30, 60])
      expect(r.stdout).toContain(
        `npx wrangler versions deploy <stable>@${100 - p}% <canary>@${p}% --env production`,
      );
    expect(r.stdout).toContain(
      'npx wrangler versions deploy <stable>@0% <canary>@100% --env production',
    );
    expect(r.stdout).toContain('error rate > 1.00 % or p95 > 500 ms fails');
    expect(r.stdout).toContain('FROM finance_edge_requests_production');
  });
  it('refuses to run without --env', async () => {
    const r = await run('scripts/release.mjs', []);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: npm run release -- --env');
  });
});

describe('npm run release:rehearse', () => {
  it(
    'promotes the healthy canary, rolls back the faulty one on error_rate, loses no write',
    { timeout: 180_000 },
    async () => {
      const started = Date.now();
      const r = await run('scripts/release/rehearse.mjs', []);
      const last = r.stdout.trim().split('\n').at(-1) ?? '';
      expect(r.code, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`).toBe(0);
      const summary = JSON.parse(last);
      expect(summary).toMatchObject({
        healthy: 'promoted',
        faulty: 'rolled_back',
        failedGate: 'error_rate',
        lostWrites: 0,
        ledgerVersions: 1,
      });
      expect(summary.acknowledgedWrites).toBeGreaterThan(50);
      // The healthy rollout went through every step; the faulty one stopped at the first.
      expect(r.stdout).toMatch(/step 4 at 100 %: ADVANCE/);
      expect(r.stdout).toMatch(/ROLLED BACK: step 1 at 10 %: canary error rate/);
      expect(Date.now() - started).toBeLessThan(120_000);
    },
  );
});
