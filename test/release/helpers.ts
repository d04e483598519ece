/** Shared by the release suites: the fake wrangler on PATH, a fake clock, a plan. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWrangler } from '../../scripts/release/wrangler.mjs';
import { parsePlan } from '../../scripts/release/plan.mjs';

export const STABLE = '2a7d1f3c-9b4e-4c6a-8d2f-1e5b7c9a3d60';
/** The version id in fixtures/wrangler-upload.ndjson. */
export const CANARY = '6b9e2c0e-4a57-4d1b-9f8e-2f4d6c1a0b3e';

/** A temp dir with `wrangler` (the fake) and its log; `calls()` are the argument lists it got. */
export function fakeWrangler(env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-wrangler-'));
  const log = path.join(dir, 'calls.ndjson');
  const bin = path.join(dir, 'wrangler');
  writeFileSync(
    bin,
    `#!/bin/sh\nexec "${process.execPath}" "${path.join(import.meta.dirname, 'fake-wrangler.mjs')}" "$@"\n`,
  );
  chmodSync(bin, 0o755);
  const vars: Record<string, string> = {
    FAKE_WRANGLER_LOG: log,
    FAKE_WRANGLER_STATUS: JSON.stringify({
      id: 'dep-1',
      versions: [{ version_id: STABLE, percentage: 100 }],
    }),
    ...env,
  };
  const wrangler = createWrangler({
    cwd: dir,
    env: { ...process.env, ...vars, PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}` },
  });
  return {
    dir,
    wrangler,
    vars,
    calls: (): string[][] =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as string[])
        : [],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A clock that only moves when the controller sleeps. */
export function fakeClock(start = Date.UTC(2026, 11, 5, 0, 0, 0)) {
  let t = start;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

/** The production plan's shape with small numbers. */
export const PLAN = parsePlan({
  steps: [
    { percent: 10, bakeSeconds: 60, minSamples: 100 },
    { percent: 30, bakeSeconds: 60, minSamples: 100 },
    { percent: 60, bakeSeconds: 60, minSamples: 100 },
    { percent: 100, bakeSeconds: 60, minSamples: 100 },
  ],
  window: '5m',
  pollSeconds: 30,
  maxHoldSeconds: 120,
  gates: {
    maxErrorRatio: 0.01,
    maxP95Ms: 500,
    relative: { errorRatioMargin: 0.005, p95Ratio: 1.5, p95SlackMs: 50 },
  },
});
