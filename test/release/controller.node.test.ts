/**
 * The controller end to end against a fake `wrangler` on PATH, a scripted gate query, a fake
 * clock and a fake smoke target: the exact command sequence of a promotion, rollback on a
 * failed gate, hold on too few samples, refusals, resume from the state file, --abort.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { abortRelease, release } from '../../scripts/release/controller.mjs';
import { JSON_PREFIX } from '../../scripts/release/report.mjs';
import { CANARY, PLAN, STABLE, fakeClock, fakeWrangler } from './helpers';

type Row = { version_id: string; requests: number; errors: number; p95_ms: number };
const healthyRows = (): Row[] => [
  { version_id: CANARY, requests: 1000, errors: 1, p95_ms: 120 },
  { version_id: STABLE, requests: 4000, errors: 4, p95_ms: 110 },
];

let dir: string;
let fake: ReturnType<typeof fakeWrangler>;
let lines: string[];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'release-test-'));
  lines = [];
});
afterEach(() => {
  fake?.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** The canary's share in the last split the controller deployed. */
const currentPercent = () => {
  const deploys = fake.calls().filter((c) => c[0] === 'versions' && c[1] === 'deploy');
  const spec = deploys.at(-1)?.find((a) => a.startsWith(`${CANARY}@`));
  return spec ? Number(spec.slice(CANARY.length + 1, -1)) : 0;
};

/** A smoke target whose /health answers the version the override named. */
const smokeFetch = (answerVersion?: string) => async (url: URL | string, init?: RequestInit) => {
  const headers = new Headers(init?.headers);
  const pinned = /="([^"]+)"/.exec(headers.get('Cloudflare-Workers-Version-Overrides') ?? '')?.[1];
  const p = new URL(url).pathname;
  const body =
    p === '/health'
      ? { status: 'ok', version: answerVersion ?? pinned }
      : p === '/openapi.json'
        ? { openapi: '3.1.0' }
        : p === '/v1/accounts'
          ? { data: [] }
          : { status: 'ready' };
  if (p === '/v1/accounts' && headers.get('Authorization') !== 'Bearer smoke-token')
    return new Response('{}', { status: 401 });
  return Response.json(body);
};

function deps(over: Record<string, unknown> = {}) {
  fake ??= fakeWrangler();
  return {
    env: 'production',
    plan: PLAN,
    stateFile: path.join(dir, 'state.json'),
    workerName: 'finance-edge-production',
    sha: 'abc123',
    wrangler: fake.wrangler,
    queryGate: async (_window: string) => healthyRows(),
    preflight: async () => [] as string[],
    smoke: {
      baseUrl: 'https://api.finance-edge.test',
      token: 'smoke-token',
      fetch: smokeFetch() as typeof fetch,
    },
    clock: fakeClock(),
    out: (l: string) => lines.push(l),
    ...over,
  };
}
const events = () =>
  lines
    .filter((l) => l.startsWith(JSON_PREFIX))
    .map((l) => JSON.parse(l.slice(JSON_PREFIX.length)) as Record<string, unknown>);
const state = () => JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8'));
const split = (p: number) => [
  'versions',
  'deploy',
  `${STABLE}@${100 - p}%`,
  `${CANARY}@${p}%`,
  '--env',
  'production',
  '--message',
  `release abc123: ${p} %`,
  '-y',
];

describe('release', () => {
  it('promotes a healthy canary through 0, 10, 30, 60, 100 with the exact wrangler calls', async () => {
    fake = fakeWrangler();
    const r = await release(deps());
    expect(r).toMatchObject({ outcome: 'promoted', exitCode: 0, failedGate: null });
    expect(fake.calls()).toEqual([
      ['deployments', 'status', '--env', 'production', '--json'],
      [
        'versions',
        'upload',
        '--env',
        'production',
        '--tag',
        'abc123',
        '--message',
        'release abc123',
      ],
      split(0),
      split(10),
      split(30),
      split(60),
      split(100),
      [
        'versions',
        'deploy',
        `${CANARY}@100%`,
        '--env',
        'production',
        '--message',
        'release abc123: promoted',
        '-y',
      ],
    ]);
    // Each step baked 60 s at a 30 s poll: watch, then advance.
    expect(
      events()
        .filter((e) => e.event === 'gate')
        .map((e) => `${e.percent}:${e.action}`),
    ).toEqual([
      '10:watch',
      '10:advance',
      '30:watch',
      '30:advance',
      '60:watch',
      '60:advance',
      '100:watch',
      '100:advance',
    ]);
    expect(state()).toMatchObject({
      status: 'promoted',
      canary: { id: CANARY, tag: 'abc123' },
      stable: { id: STABLE },
    });
    expect(state().decisions).toHaveLength(events().length);
  });

  it('prints every decision as a human line followed by its JSON line', async () => {
    fake = fakeWrangler();
    await release(deps());
    const human = lines.filter((l) => /^\[\d\d:\d\d:\d\d\] /.test(l));
    expect(human.length).toBe(events().length);
    for (let i = 0; i < lines.length; i++)
      if (lines[i]!.startsWith(JSON_PREFIX)) expect(lines[i - 1]).toMatch(/^\[\d\d:\d\d:\d\d\] /);
  });

  it('rolls back at the first failed gate, says which, and exits non-zero', async () => {
    fake = fakeWrangler();
    const queryGate = async () =>
      currentPercent() >= 30
        ? [{ version_id: CANARY, requests: 1000, errors: 25, p95_ms: 120 }, healthyRows()[1]!]
        : healthyRows();
    const r = await release(deps({ queryGate }));
    expect(r).toMatchObject({ outcome: 'rolled_back', failedGate: 'error_rate', exitCode: 1 });
    expect(fake.calls().at(-1)).toEqual([
      'versions',
      'deploy',
      `${STABLE}@100%`,
      '--env',
      'production',
      '--message',
      'rollback of abc123: error_rate',
      '-y',
    ]);
    expect(fake.calls().some((c) => c.includes(`${CANARY}@60%`))).toBe(false);
    const last = events().at(-1)!;
    expect(last).toMatchObject({
      event: 'rolled_back',
      gate: 'error_rate',
      percent: 30,
      figures: { canary: { requests: 1000, errors: 25 } },
    });
    expect(lines.find((l) => l.includes('ROLLED BACK'))).toContain(
      'canary error rate 2.50 % (25/1000) is above 1.00 %',
    );
    expect(state()).toMatchObject({ status: 'rolled_back', failedGate: 'error_rate' });
  });

  it('rolls back on the relative gate when the canary is much slower than stable', async () => {
    fake = fakeWrangler();
    const queryGate = async () => [
      { version_id: CANARY, requests: 1000, errors: 0, p95_ms: 300 },
      { version_id: STABLE, requests: 4000, errors: 0, p95_ms: 100 },
    ];
    expect(await release(deps({ queryGate }))).toMatchObject({
      outcome: 'rolled_back',
      failedGate: 'relative_p95',
    });
  });

  it('holds while the canary has too few samples, never passes, and aborts after bake + maxHold', async () => {
    fake = fakeWrangler();
    const queryGate = async () => [
      { version_id: CANARY, requests: 99, errors: 0, p95_ms: 10 },
      healthyRows()[1]!,
    ];
    const r = await release(deps({ queryGate }));
    expect(r).toMatchObject({ outcome: 'rolled_back', failedGate: 'samples' });
    const gates = events().filter((e) => e.event === 'gate');
    expect(gates.length).toBeGreaterThan(0);
    expect(gates.every((e) => e.action === 'hold' && e.percent === 10)).toBe(true);
    expect(events().at(-1)).toMatchObject({
      event: 'rolled_back',
      gate: 'samples',
      elapsedSeconds: 210,
    });
  });

  it('holds when the metrics cannot be read, and gives up as metrics_unavailable', async () => {
    fake = fakeWrangler();
    const r = await release(
      deps({
        queryGate: async () => {
          throw new Error('Analytics Engine SQL API answered 503');
        },
      }),
    );
    expect(r).toMatchObject({ outcome: 'rolled_back', failedGate: 'metrics_unavailable' });
    expect(
      events()
        .filter((e) => e.event === 'gate')
        .every((e) => e.action === 'hold'),
    ).toBe(true);
  });

  it('rolls back before any user traffic when the smoke at 0 % lands on another version', async () => {
    fake = fakeWrangler();
    const r = await release(
      deps({
        smoke: {
          baseUrl: 'https://api.finance-edge.test',
          token: 'smoke-token',
          fetch: smokeFetch(STABLE),
        },
      }),
    );
    expect(r).toMatchObject({ outcome: 'rolled_back', failedGate: 'smoke' });
    expect(
      fake
        .calls()
        .filter((c) => c[1] === 'deploy')
        .map((c) => c[2]),
    ).toEqual([`${STABLE}@100%`, `${STABLE}@100%`]);
    expect(lines.join('\n')).toMatch(/\/health: answered from version 2a7d1f3c.*, not 6b9e2c0e/);
  });

  it('refuses without uploading when the preflight finds problems', async () => {
    fake = fakeWrangler();
    const r = await release(deps({ preflight: async () => ['work tree: 2 uncommitted path(s)'] }));
    expect(r).toMatchObject({
      outcome: 'refused',
      exitCode: 2,
      problems: ['work tree: 2 uncommitted path(s)'],
    });
    expect(fake.calls()).toEqual([['deployments', 'status', '--env', 'production', '--json']]);
    expect(lines).toContain('  - work tree: 2 uncommitted path(s)');
  });

  it('refuses to start while another split is deployed', async () => {
    fake = fakeWrangler({
      FAKE_WRANGLER_STATUS: JSON.stringify({
        versions: [
          { version_id: 'x', percentage: 70 },
          { version_id: 'y', percentage: 30 },
        ],
      }),
    });
    expect(await release(deps())).toMatchObject({ outcome: 'refused', failedGate: 'preflight' });
    expect(fake.calls()).toHaveLength(1);
  });

  it('falls back to wrangler rollback when the versions deploy back to stable fails', async () => {
    fake = fakeWrangler({ FAKE_WRANGLER_FAIL: `deploy ${STABLE}@100% --env` });
    const queryGate = async () => [
      { version_id: CANARY, requests: 1000, errors: 0, p95_ms: 900 },
      healthyRows()[1]!,
    ];
    expect(await release(deps({ queryGate }))).toMatchObject({
      outcome: 'rolled_back',
      failedGate: 'p95',
    });
    expect(fake.calls().at(-1)).toEqual([
      'rollback',
      STABLE,
      '--env',
      'production',
      '--message',
      'rollback of abc123: p95',
      '-y',
    ]);
  });
});

describe('resuming and aborting', () => {
  /** Runs until the controller has deployed `percent`, then "kills" it (its clock throws). */
  async function crashAt(percent: number) {
    fake = fakeWrangler();
    const clock = fakeClock();
    const sleep = clock.sleep;
    clock.sleep = async (ms: number) => {
      if (currentPercent() === percent) throw new Error('killed');
      return sleep(ms);
    };
    await expect(release(deps({ clock }))).rejects.toThrow('killed');
  }

  it('resumes at the deployed step without uploading or redeploying it', async () => {
    await crashAt(30);
    const before = fake.calls().length;
    expect(state()).toMatchObject({ status: 'rolling', step: 1, deployedStep: 1 });
    const r = await release(deps());
    expect(r).toMatchObject({ outcome: 'promoted' });
    expect(
      fake
        .calls()
        .slice(before)
        .map((c) => c.slice(0, 4)),
    ).toEqual([
      split(60).slice(0, 4),
      split(100).slice(0, 4),
      ['versions', 'deploy', `${CANARY}@100%`, '--env'],
    ]);
    expect(events().some((e) => e.event === 'resumed')).toBe(true);
  });

  it('--abort sends all traffic back to stable at once', async () => {
    await crashAt(60);
    const r = await abortRelease(deps());
    expect(r).toMatchObject({ outcome: 'rolled_back', failedGate: 'manual_abort', exitCode: 1 });
    expect(fake.calls().at(-1)).toEqual([
      'versions',
      'deploy',
      `${STABLE}@100%`,
      '--env',
      'production',
      '--message',
      'rollback of abc123: manual_abort',
      '-y',
    ]);
    expect(state().status).toBe('rolled_back');
  });

  it('a running controller stops when --abort from another shell rolled back', async () => {
    fake = fakeWrangler();
    let aborted = false;
    const queryGate = async () => {
      if (currentPercent() === 30 && !aborted) {
        aborted = true;
        await abortRelease(deps({ out: () => {} }));
      }
      return healthyRows();
    };
    const r = await release(deps({ queryGate }));
    expect(r).toMatchObject({ outcome: 'rolled_back', failedGate: 'manual_abort', exitCode: 1 });
    expect(fake.calls().at(-1)).toEqual([
      'versions',
      'deploy',
      `${STABLE}@100%`,
      '--env',
      'production',
      '--message',
      'rollback of abc123: manual_abort',
      '-y',
    ]);
    expect(fake.calls().some((c) => c.includes(`${CANARY}@60%`))).toBe(false);
    expect(lines).toContain(
      'the release was rolled back by another process (manual_abort); stopping',
    );
  });

  it('--abort without a state file says how to roll back by hand', async () => {
    await expect(abortRelease(deps())).rejects.toThrow(/nothing to abort.*wrangler rollback/);
  });
});

describe('the state file lock', () => {
  it("lets one controller at a time work on a state file, and takes over a dead one's lock", async () => {
    const { lockState } = await import('../../scripts/release/state.mjs');
    const { writeFileSync } = await import('node:fs');
    const file = path.join(dir, 'state.json');
    const unlock = lockState(file);
    expect(() => lockState(file)).toThrow(
      new RegExp(`another release \\(pid ${process.pid}\\) is running`),
    );
    unlock();
    const again = lockState(file);
    again();
    writeFileSync(`${file}.lock`, '999999999'); // a pid no process has
    const takeover = lockState(file);
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(String(process.pid));
    takeover();
  });
});
