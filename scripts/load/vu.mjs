// A worker thread of the local runner: loads the k6 script (its init context) and plays one
// role: `options`, `setup`, `vu` (its share of a scenario's iterations), `teardown` or
// `summary` (handleSummary). Module state is per worker, as it is per VU in k6.
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import './hooks.mjs';
import { emit, flush, idle, vu } from './k6-shim/runtime.mjs';

const { role, script, env, data, scenario, vuId, iterations, exec, paceMs = 0 } = workerData;
globalThis.__ENV = env;
globalThis.__VU = 0;
globalThis.__ITER = 0;
const mod = await import(pathToFileURL(script).href);
const plain = (x) => (x === undefined ? null : JSON.parse(JSON.stringify(x)));

let result = null;
if (role === 'options') {
  result = { options: plain(mod.options ?? {}), exports: Object.keys(mod) };
} else if (role === 'setup') {
  result = plain(await mod.setup?.());
} else if (role === 'teardown') {
  await mod.teardown?.(data);
} else if (role === 'summary') {
  result = plain(await mod.handleSummary(data));
} else if (role === 'vu') {
  const fn = mod[exec];
  if (typeof fn !== 'function')
    throw new Error(`the script exports no function "${exec}" (scenario ${scenario})`);
  vu.id = vuId;
  vu.tags = { scenario };
  globalThis.__VU = vuId;
  const errors = [];
  for (let i = 0; i < iterations; i++) {
    vu.iter = i;
    globalThis.__ITER = i;
    const t = performance.now();
    try {
      await fn(data);
      await idle();
      emit('iterations', 'counter', 1);
    } catch (err) {
      // As in k6: the iteration is interrupted and counted, the VU goes on with the next one.
      errors.push(String(err?.message ?? err));
      emit('iterations', 'counter', 1, { interrupted: 'true' });
    }
    const took = performance.now() - t;
    emit('iteration_duration', 'trend', took, {}, 'time');
    flush();
    if (paceMs > took && i < iterations - 1) await new Promise((r) => setTimeout(r, paceMs - took));
  }
  result = { errors };
}
flush();
parentPort.postMessage({ type: 'done', result });
