// `npm run load -- load|spike|stress|soak`: a k6 script's VU stages replayed locally with the
// bench's load generator (autocannon) and the same request mix (test/load/k6/lib/mix.ts),
// so a developer sees roughly what k6 will show. Differences, printed with every run:
// durations are scaled down; a connection is a VU with no think time (closed loop), so it
// sends more than a k6 VU; a ramp is a staircase of short runs; VUs are capped.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Mix } from '../../test/load/k6/lib/mix.ts';
import { MetricStore } from './metrics.mjs';
import { loadOptions, runSetup } from './runner.mjs';
import { printReport } from './report.mjs';
import { seconds, staircase } from './stages.mjs';

const MIN_ABORT_DELAY_S = 5;

/** One step of closed-loop load: `connections` clients drawing from the shared mix. */
async function runStep({ url, connections, secs, mix, store, scenario }) {
  let last = null;
  const request = {
    method: 'GET',
    path: '/health',
    setupRequest(req, context) {
      const step = mix.next();
      context.step = step;
      // Without Accept-Encoding the API may answer gzip (RFC 9110 allows any coding then), and
      // autocannon hands onResponse the raw bytes as text: a check that reads the body asks for
      // identity. Other requests take gzip as k6 does (it sends Accept-Encoding: gzip).
      const headers = step.verify
        ? { ...step.headers, 'Accept-Encoding': 'identity' }
        : { ...step.headers, 'Accept-Encoding': 'gzip' };
      return {
        ...req,
        method: step.method,
        path: step.path,
        headers,
        body: step.body ?? undefined,
      };
    },
    onResponse(status, body, context, rawHeaders) {
      const step = context.step;
      const headers = {};
      for (const k in rawHeaders) headers[k.toLowerCase()] = String(rawHeaders[k]);
      const ok = step.expect.includes(status);
      const tags = {
        scenario,
        kind: step.kind,
        name: step.route,
        method: step.method,
        status: String(status),
        expected_response: String(ok),
      };
      last = tags;
      let parsed = null;
      try {
        parsed = body ? JSON.parse(body) : null;
      } catch {}
      if (ok) step.observe(parsed, headers);
      store.add('http_reqs', 'counter', 1, tags);
      store.add('http_req_failed', 'rate', ok ? 0 : 1, tags);
      store.add('checks', 'rate', ok ? 1 : 0, {
        ...tags,
        check: `${step.route}: status ${step.expect.join('|')}`,
      });
      if (step.verify)
        store.add('checks', 'rate', ok && step.verify.ok(parsed, headers) ? 1 : 0, {
          ...tags,
          check: step.verify.name,
        });
      if (headers['x-cache'])
        store.add('cache_hit', 'rate', headers['x-cache'].toUpperCase() === 'HIT' ? 1 : 0, {
          name: step.route,
        });
    },
  };
  const instance = autocannon({
    url,
    connections,
    duration: Math.max(1, secs),
    timeout: 10,
    pipelining: 1,
    requests: [request],
  });
  // onResponse runs just before the 'response' event, synchronously: `last` is its request.
  instance.on('response', (_client, _status, _bytes, ms) =>
    store.add('http_req_duration', 'trend', ms, last ?? {}, 'time'),
  );
  const result = await instance;
  // Requests that never got an answer (connection errors, timeouts) count as failed.
  for (let i = 0; i < result.errors; i++)
    store.add('http_req_failed', 'rate', 1, {
      scenario,
      kind: 'unknown',
      name: 'no answer',
      status: '0',
    });
  return result;
}

/**
 * Runs the first staged scenario of `script` with autocannon; evaluates the script's
 * thresholds over the whole run (and its abortOnFail ones after every step).
 */
export async function runStages({
  script,
  name,
  url,
  env,
  maxVus,
  maxSeconds,
  timeScale,
  log = console.log,
}) {
  const { options } = await loadOptions(script, env);
  const entry = Object.entries(options.scenarios ?? {}).find(([, sc]) => Array.isArray(sc.stages));
  if (!entry) throw new Error(`${name}: no scenario with stages`);
  const [scenario, sc] = entry;
  const declared = sc.stages.reduce((a, st) => a + seconds(st.duration), 0);
  const scale = timeScale ?? Math.min(1, maxSeconds / declared);
  const steps = staircase(sc.stages, { scale, maxVus, startVus: sc.startVUs ?? 0 });
  const peak = Math.max(...steps.map((s) => s.declaredVus));
  log(
    `${name}: scenario ${scenario}, ${sc.stages.length} stages over ${Math.round(declared)} s declared, peak ${peak} VUs`,
  );
  log(
    `  local replay: time scaled by ${scale.toFixed(4)} (${Math.round(declared * scale)} s), VUs capped at ${maxVus}, ${steps.length} steps of closed-loop load (a connection = a VU without think time)`,
  );
  const data = await runSetup(script, env);
  const mix = new Mix(data, 'ac');
  const store = new MetricStore();
  const aborting = Object.fromEntries(
    Object.entries(options.thresholds ?? {})
      .map(([k, list]) => [k, list.filter((t) => typeof t === 'object' && t.abortOnFail)])
      .filter(([, l]) => l.length),
  );
  // delayAbortEval, scaled like the stages, but at least MIN_ABORT_DELAY_S: a scaled 30 s is
  // under a second here, shorter than a cold local stack takes to warm up.
  const delays = Object.values(aborting)
    .flat()
    .map((t) => (t.delayAbortEval ? seconds(t.delayAbortEval) : 0));
  const abortDelayS = Math.max(MIN_ABORT_DELAY_S, Math.max(0, ...delays) * scale);
  const started = performance.now();
  let abortedAt = null;
  for (const step of steps) {
    if (step.vus < 1) {
      await new Promise((r) => setTimeout(r, step.seconds * 1000));
      continue;
    }
    await runStep({
      url,
      connections: step.vus,
      secs: Math.round(step.seconds),
      mix,
      store,
      scenario,
    });
    const elapsed = (performance.now() - started) / 1000;
    const broken =
      elapsed < abortDelayS ? [] : store.evaluate(aborting, elapsed).filter((v) => !v.ok);
    if (broken.length) {
      abortedAt = { vus: step.declaredVus, broken };
      log(
        `  abortOnFail: ${broken.map((b) => `${b.key} ${b.expr}`).join(', ')} broke at ${step.declaredVus} VUs${step.vus < step.declaredVus ? ` (run with ${step.vus})` : ''}: stopping`,
      );
      break;
    }
  }
  const secs = (performance.now() - started) / 1000;
  const { verdicts } = store.summary(options.thresholds ?? {}, secs);
  printReport({ store, verdicts, seconds: secs, log });
  return { ok: verdicts.every((v) => v.ok), verdicts, abortedAt };
}
