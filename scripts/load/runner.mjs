// A small runner for this project's k6 scripts under Node: a test harness, NOT a k6
// replacement. It implements only what test/load/k6 uses: the `k6`, `k6/http`, `k6/metrics`,
// `k6/timers` and `k6/websockets` modules as far as the scripts call them (k6-shim/), setup →
// N iterations per scenario on a few VUs (worker threads, one per VU; executors, durations
// and stages are NOT followed: the scenarios run their shares of iterations at once, the
// arrival-rate ones paced to their rate) → teardown, the script's own thresholds (avg, min,
// max, med, p(N), rate, count, value, on tag-filtered sub-metrics) and handleSummary.
// Scripts load with Node 22's own type stripping (test/load/k6/tsconfig.json allows only
// erasable syntax, so what k6 strips Node strips too). Requests and sockets go only to
// loopback addresses. The real runs are k6's, locally or in k6 cloud (README "Load tests").
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { doHttp } from './fetch.mjs';
import { MetricStore } from './metrics.mjs';
import { printReport } from './report.mjs';
import { seconds } from './stages.mjs';

const VU_FILE = path.join(import.meta.dirname, 'vu.mjs');
const BUFFER_BYTES = 8 << 20;
/** Starts one worker in `role`; resolves with its result, serving its requests meanwhile. */
function runWorker(store, workerData) {
  const sab = new SharedArrayBuffer(8 + BUFFER_BYTES);
  const state = new Int32Array(sab, 0, 2);
  const bytes = new Uint8Array(sab, 8);
  const encoder = new TextEncoder();
  const worker = new Worker(VU_FILE, { workerData: { ...workerData, sab } });
  const answer = (value) => {
    let encoded = encoder.encode(JSON.stringify(value));
    if (encoded.length > BUFFER_BYTES)
      encoded = encoder.encode(
        JSON.stringify({ fatal: `response larger than ${BUFFER_BYTES} bytes` }),
      );
    bytes.set(encoded);
    Atomics.store(state, 1, encoded.length);
    Atomics.store(state, 0, 1);
    Atomics.notify(state, 0);
  };
  return new Promise((resolve, reject) => {
    let result;
    worker.on('message', (m) => {
      if (m.type === 'samples')
        for (const s of m.samples)
          s.declare
            ? store.define(s.name, s.type, s.contains)
            : store.add(s.name, s.type, s.value, s.tags, s.contains);
      else if (m.type === 'call') {
        doHttp(m.msg.req, store).then(
          (res) => {
            answer(res);
            // A request the runner refuses ends the whole run, not just the iteration.
            if (res.fatal) {
              reject(new Error(res.fatal));
              worker.terminate();
            }
          },
          (err) => answer({ fatal: String(err) }),
        );
      } else if (m.type === 'done') {
        result = m.result;
        worker.terminate();
      }
    });
    worker.on('error', reject);
    worker.on('exit', () =>
      result === undefined
        ? reject(new Error(`worker ${workerData.role} exited without a result`))
        : resolve(result),
    );
  });
}

/** The script's exported `options` and export names (its init context, run in a worker). */
export function loadOptions(script, env) {
  return runWorker(new MetricStore(), { script: path.resolve(script), env, role: 'options' });
}

/** Runs the script's `setup()` alone; its requests are not counted. */
export function runSetup(script, env) {
  return runWorker(new MetricStore(), { script: path.resolve(script), env, role: 'setup' });
}

/** Splits `total` iterations over `vus` VUs (the first ones take the remainder). */
const share = (total, vus) =>
  Array.from({ length: vus }, (_, i) => Math.floor(total / vus) + (i < total % vus ? 1 : 0));

/**
 * VUs and iterations the runner gives a scenario: few VUs, a bounded number of iterations.
 * @param {Record<string, any>} scenario one entry of k6's `options.scenarios`
 * @param {{ maxVus: number, iterations?: number }} limits
 */
export function plan(scenario, { maxVus, iterations }) {
  const declared =
    scenario.vus ??
    scenario.preAllocatedVUs ??
    Math.max(1, ...(scenario.stages ?? []).map((s) => s.target));
  const vus = Math.max(1, Math.min(maxVus, declared));
  let total = iterations;
  if (total === undefined)
    total =
      scenario.executor === 'shared-iterations'
        ? (scenario.iterations ?? 1)
        : scenario.executor === 'per-vu-iterations'
          ? (scenario.iterations ?? 1) * vus
          : vus * 2;
  // Arrival-rate executors: each VU paces its iterations so the VUs together keep the rate.
  const paceMs =
    scenario.executor?.endsWith('arrival-rate') && scenario.rate
      ? ((seconds(scenario.timeUnit ?? '1s') * 1000) / scenario.rate) * vus
      : 0;
  return { vus, iterations: share(total, vus).filter((n) => n > 0), paceMs };
}

/**
 * Runs `script` (a path to a k6 script) with `env` as `__ENV`. Returns the verdicts, whether
 * every threshold held, the summary outputs and the iteration errors.
 * @param {{ script: string, env: Record<string, string>, maxVus?: number, iterations?: number,
 *   outDir: string, log?: (s: string) => void, timeoutMs?: number }} o
 */
export async function runScript(o) {
  const log = o.log ?? console.log;
  const store = new MetricStore();
  const base = { script: path.resolve(o.script), env: o.env };
  const deadline = new Promise((_, reject) => {
    const t = setTimeout(
      () => reject(new Error(`the run took longer than ${(o.timeoutMs ?? 300_000) / 1000} s`)),
      o.timeoutMs ?? 300_000,
    );
    t.unref();
  });
  const { options, exports } = await runWorker(store, { ...base, role: 'options' });
  const scenarios = options.scenarios ?? {
    default: {
      executor: 'per-vu-iterations',
      vus: options.vus ?? 1,
      iterations: options.iterations ?? 1,
    },
  };
  const started = performance.now();
  const data = exports.includes('setup')
    ? await runWorker(store, { ...base, role: 'setup' })
    : null;
  let vuId = 0;
  const runs = [];
  for (const [name, sc] of Object.entries(scenarios)) {
    const p = plan(sc, { maxVus: o.maxVus ?? 2, iterations: o.iterations });
    log(
      `scenario ${name}: ${p.iterations.length} VU(s), ${p.iterations.reduce((a, b) => a + b, 0)} iteration(s)${p.paceMs ? `, one per VU every ${Math.round(p.paceMs)} ms` : ''} (declared: ${sc.executor})`,
    );
    for (const n of p.iterations)
      runs.push(
        runWorker(store, {
          ...base,
          role: 'vu',
          scenario: name,
          exec: sc.exec ?? 'default',
          vuId: ++vuId,
          iterations: n,
          paceMs: p.paceMs,
          data,
        }),
      );
  }
  const results = await Promise.race([Promise.all(runs), deadline]);
  if (exports.includes('teardown')) await runWorker(store, { ...base, role: 'teardown', data });
  const elapsedS = (performance.now() - started) / 1000;
  const errors = results.flatMap((r) => r.errors);
  const { metrics, verdicts } = store.summary(
    options.thresholds ?? {},
    elapsedS,
    options.summaryTrendStats,
  );
  const summary = {
    metrics,
    options: { summaryTrendStats: options.summaryTrendStats },
    state: { testRunDurationMs: elapsedS * 1000, isStdOutTTY: false },
  };
  if (exports.includes('handleSummary')) {
    const outputs = await runWorker(store, { ...base, role: 'summary', data: summary });
    mkdirSync(o.outDir, { recursive: true });
    for (const [key, text] of Object.entries(outputs ?? {})) {
      if (key === 'stdout' || key === 'stderr') log(String(text).trimEnd());
      else {
        const file = path.join(o.outDir, path.basename(key));
        writeFileSync(file, String(text));
        log(`handleSummary wrote ${path.relative(process.cwd(), file)}`);
      }
    }
  }
  // Beyond k6's summary: the percentiles per kind and route, as the local replay prints them.
  printReport({ store, verdicts: [], seconds: elapsedS, log });
  for (const e of [...new Set(errors)].slice(0, 5)) log(`iteration error: ${e}`);
  const failed = verdicts.filter((v) => !v.ok);
  log(
    `thresholds: ${verdicts.length - failed.length} of ${verdicts.length} held${failed.length ? `; FAILED: ${failed.map((v) => `${v.key} ${v.expr} (${Number.isFinite(v.value) ? Math.round(v.value * 1e4) / 1e4 : 'no samples'})`).join(', ')}` : ''}; ${errors.length} interrupted iteration(s)`,
  );
  return { ok: failed.length === 0, verdicts, errors, metrics };
}
