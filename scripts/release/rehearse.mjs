#!/usr/bin/env node
// npm run release:rehearse [-- --fault error|latency]
// The release controller, unchanged, against a local platform: two rollouts of the current
// tree behind a local splitter, first a healthy canary (must reach 100 %), then a faulty one
// (must be rolled back at the first gate it fails), under a bounded load with writes. Ends
// with one JSON line: {"healthy":"promoted","faulty":"rolled_back","failedGate":"error_rate","lostWrites":0,...}
// and exits 0 only when all of that holds. Everything listens on 127.0.0.1 and is stopped at the end.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from '@neondatabase/serverless';
import { runNamedQuery } from '../lib/analytics.mjs';
import { flags } from '../lib/args.mjs';
import { ROOT } from '../lib/dev-keys.mjs';
import { useLocalBridge } from '../lib/migrate.mjs';
import { cleanupAll, onCleanup, prepare } from '../bench/stack.mjs';
import { durableObjectCheck } from './checks.mjs';
import { release } from './controller.mjs';
import { loadPlan } from './plan.mjs';
import { headSha, readConfigFile, readModelProblems } from './preflight.mjs';
import { createWrangler } from './wrangler.mjs';
import { LEDGER } from '../../src/telemetry/schema.ts';
import { lostWrites, startLoad } from './rehearse/load.mjs';
import { startMetricsSource } from './rehearse/metrics-source.mjs';
import { startPlatform } from './rehearse/platform.mjs';
import { newVersionId, startTarget } from './rehearse/target.mjs';

const args = flags({
  fault: { type: 'string', default: 'error' },
  plan: {
    type: 'string',
    default: path.join(import.meta.dirname, 'rehearse', 'rehearsal-plan.json'),
  },
});
const FAULTS = {
  error: { vars: { REHEARSAL_FAULT_ERROR_RATE: '0.5' }, gate: 'error_rate' },
  latency: { vars: { REHEARSAL_FAULT_DELAY_MS: '4000' }, gate: 'p95' },
};
const fault = FAULTS[args.fault];
if (!fault) {
  console.error(`--fault must be one of ${Object.keys(FAULTS).join(', ')}`);
  process.exit(2);
}
const ENV = 'rehearsal';
const started = Date.now();
const log = (m) => console.log(`rehearse: ${m}`);

/** The read-model check of the preflight, through the local bridge as the Worker reaches it. */
function bridgeQuery(db) {
  return async (sql) => {
    useLocalBridge(db.wsPort);
    const pool = new Pool({ connectionString: db.databaseUrl, max: 1 });
    try {
      return (await pool.query(sql)).rows;
    } finally {
      await pool.end();
    }
  };
}

/** A directory holding the rehearsal's `wrangler`, put first on the controller's PATH. */
function wranglerBin() {
  const dir = mkdtempSync(path.join(tmpdir(), 'rehearsal-bin-'));
  const file = path.join(dir, 'wrangler');
  writeFileSync(
    file,
    `#!/bin/sh\nexec "${process.execPath}" "${path.join(import.meta.dirname, 'rehearse', 'wrangler-cli.mjs')}" "$@"\n`,
  );
  chmodSync(file, 0o755);
  const remove = () => rmSync(dir, { recursive: true, force: true });
  onCleanup(remove, remove);
  return dir;
}

let exitCode = 1;
try {
  const ctx = await prepare({ backend: 'pglite', log });
  const sha = headSha();
  const base = { id: newVersionId(), tag: sha, vars: {} };
  const healthy = { id: newVersionId(), tag: sha, vars: {} };
  const faulty = { id: newVersionId(), tag: sha, vars: fault.vars };
  const target = await startTarget({
    base: { config: ctx.config, bundle: ctx.bundle, vars: ctx.vars },
    versions: [base, healthy, faulty],
  });
  onCleanup(() => target.dispose());
  const platform = await startPlatform({
    workerName: ctx.config.name,
    setDeployment: target.setDeployment,
  });
  onCleanup(() => platform.close());
  await platform.deployed(base.id, sha);
  const metrics = await startMetricsSource({ env: ENV, drain: target.drainPoints });
  onCleanup(() => metrics.close());
  log(
    `splitter ${target.url}; base ${base.id}, healthy canary ${healthy.id}, faulty canary ${faulty.id} (${args.fault})`,
  );

  const wrangler = createWrangler({
    cwd: ROOT,
    env: {
      ...process.env,
      PATH: `${wranglerBin()}${path.delimiter}${process.env.PATH ?? ''}`,
      REHEARSAL_CONTROL_URL: platform.url,
    },
  });
  const config = await readConfigFile(path.join(ROOT, 'wrangler.toml'));
  const plan = loadPlan(args.plan);
  const stateDir = mkdtempSync(path.join(tmpdir(), 'rehearsal-state-'));
  onCleanup(() => rmSync(stateDir, { recursive: true, force: true }));
  const tenants = ['rehearsal-a', 'rehearsal-b', 'rehearsal-c', 'rehearsal-d'];
  const token = (t) => ctx.token(t);
  const deps = {
    env: ENV,
    plan,
    workerName: ctx.config.name,
    sha,
    wrangler,
    queryGate: async (window) =>
      (
        await runNamedQuery(
          'rollout-gate',
          { env: ENV, since: window },
          { accountId: 'rehearsal', apiToken: 'rehearsal', apiBase: metrics.apiBase },
        )
      ).data,
    // The local tree may be uncommitted and runs the development config: the work-tree and
    // production-config checks are the production run's; these two are the same code.
    preflight: async ({ stable }) => [
      ...(await durableObjectCheck({ wrangler, env: ENV, configEnv: null, stable, config })),
      ...(await readModelProblems(bridgeQuery(ctx.db))),
    ],
    smoke: { baseUrl: target.url, token: await token('rehearsal-smoke') },
    clock: { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    out: (line) => console.log(line),
  };
  const acked = [];
  const rollout = async (name, canary) => {
    platform.queueUpload(canary.id);
    log(`${name} rollout of ${canary.id}`);
    const load = startLoad({
      url: target.url,
      tenants,
      token,
      label: name,
      concurrency: 4,
      maxMs: 90_000,
    });
    let result;
    try {
      result = await release({ ...deps, stateFile: path.join(stateDir, `${name}.json`) });
    } finally {
      const summary = await load.stop();
      acked.push(...load.acked);
      log(
        `${name}: load sent ${summary.sent} requests, ${summary.acked} writes acknowledged, statuses ${JSON.stringify(summary.statuses)}`,
      );
    }
    return result;
  };
  const h = await rollout('healthy', healthy);
  const f = await rollout('faulty', faulty);
  log(
    `deployment now ${platform
      .current()
      .map((v) => `${v.id}@${v.percentage}%`)
      .join(' ')}; checking ${acked.length} acknowledged writes`,
  );
  const lost = await lostWrites({ url: target.url, acked, token });
  // Which versions ran ledger commands (the ledger's own points): the objects' host only.
  for (const p of await target.drainPoints()) metrics.points.push(p);
  const ledgerVersions = new Set(
    metrics.points
      .filter((p) => p.dataset === 'ledger')
      .map((p) => p.blobs[LEDGER.blobs.indexOf('version_id')]),
  ).size;
  const summary = {
    healthy: h.outcome,
    faulty: f.outcome,
    failedGate: f.failedGate,
    lostWrites: lost,
    acknowledgedWrites: acked.length,
    ledgerVersions,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  exitCode =
    h.outcome === 'promoted' &&
    f.outcome === 'rolled_back' &&
    f.failedGate === fault.gate &&
    lost === 0 &&
    ledgerVersions === 1
      ? 0
      : 1;
  await cleanupAll();
  console.log(JSON.stringify(summary));
} catch (err) {
  console.error(`rehearse: ${err.stack ?? err}`);
  await cleanupAll();
}
process.exit(exitCode);
