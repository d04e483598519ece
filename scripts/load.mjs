#!/usr/bin/env node
// npm run load -- <smoke|load|spike|stress|soak|stream> [options]
// Runs this project's k6 scripts (test/load/k6) without k6, against a local stack it starts
// (the bench's: the built Worker on Miniflare, PGlite behind the bridge; everything on
// 127.0.0.1), or against a local URL you name with --base-url and --token.
//   smoke, stream       the script itself through the local runner (scripts/load/runner.mjs):
//                       setup, a few VUs, N iterations, the script's thresholds; exits 99
//                       when a threshold fails (as k6 does), 1 on an error.
//   load, spike, stress, soak
//                       the script's VU stages replayed with the bench's load generator
//                       (autocannon) and the same request mix, durations scaled down
//                       (--time-scale, default: the whole run in about --max-seconds), VUs
//                       capped (--max-vus); prints k6-like percentiles per tag and the
//                       script's thresholds. --runner runs these through the runner instead.
// Options: --vus N (runner VUs, default 2), --iterations N, --max-vus N (default 200),
// --max-seconds S (default 60), --time-scale F, -e NAME=value (repeatable: the script's __ENV),
// --base-url URL --token T (a running local server instead of the stack; or -e TOKEN_URL=… to
// fetch the token from a client-credentials endpoint), --db pglite|postgres-temp (the stack's
// read model: PGlite answers one query at a time, so read latency under load is PostgreSQL's
// job: docs/performance.md), --out DIR (handleSummary files, default load-results/).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/dev-keys.mjs';
import { runScript } from './load/runner.mjs';
import { runStages } from './load/autocannon.mjs';
import { cleanupAll, prepare } from './bench/stack.mjs';

const SCRIPTS = ['smoke', 'load', 'spike', 'stress', 'soak', 'stream'];
const GENERATOR = new Set(['load', 'spike', 'stress', 'soak']);

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      script: { type: 'string' },
      vus: { type: 'string', default: '2' },
      iterations: { type: 'string' },
      'max-vus': { type: 'string', default: '200' },
      'max-seconds': { type: 'string', default: '60' },
      'time-scale': { type: 'string' },
      env: { type: 'string', short: 'e', multiple: true, default: [] },
      'base-url': { type: 'string' },
      token: { type: 'string' },
      out: { type: 'string', default: path.join(ROOT, 'load-results') },
      runner: { type: 'boolean', default: false },
      db: { type: 'string', default: 'pglite' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (err) {
  console.error(String(err.message ?? err));
  process.exit(2);
}
const { values: f, positionals } = parsed;
const name = positionals[0];
if (f.help || (!name && !f.script) || (name && !SCRIPTS.includes(name))) {
  console.log(
    `npm run load -- <${SCRIPTS.join('|')}> [--vus N] [--iterations N] [--max-vus N] [--max-seconds S] [--time-scale F] [-e NAME=value] [--base-url URL --token T] [--db pglite|postgres-temp] [--runner]`,
  );
  process.exit(f.help ? 0 : 2);
}
if (!['pglite', 'postgres-temp'].includes(f.db)) {
  console.error(`--db must be pglite or postgres-temp (got "${f.db}")`);
  process.exit(2);
}
const script = f.script
  ? path.resolve(f.script)
  : path.join(ROOT, 'test', 'load', 'k6', `${name}.ts`);
const userEnv = Object.fromEntries(
  f.env.map((kv) => {
    const i = kv.indexOf('=');
    if (i < 1) {
      console.error(`-e takes NAME=value (got "${kv}")`);
      process.exit(2);
    }
    return [kv.slice(0, i), kv.slice(i + 1)];
  }),
);
const int = (s, what) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${what} must be a positive integer (got "${s}")`);
    process.exit(2);
  }
  return n;
};

async function target() {
  if (f['base-url']) {
    if (!f.token && !userEnv.TOKEN_URL)
      throw new Error('--base-url needs --token (or -e TOKEN_URL=… for a token endpoint)');
    // Load from this machine goes to this machine only (k6 and k6 cloud are for the rest).
    if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(f['base-url']))
      throw new Error(
        `--base-url must be a loopback origin such as http://127.0.0.1:8787 (got ${f['base-url']})`,
      );
    return { url: f['base-url'].replace(/\/$/, ''), token: f.token ?? '' };
  }
  const ctx = await prepare({ backend: f.db, log: (m) => console.log(m) });
  const w = await ctx.worker();
  const tenant = `load-${Date.now().toString(36)}`;
  // accountant: books:read plus every command the mix sends (docs/access-control.md).
  const token = await ctx.token(tenant, ['accountant']);
  console.log(`local stack ready at ${w.url} (tenant ${tenant})`);
  return { url: w.url, token };
}

let code = 0;
try {
  const t = await target();
  // Local runs skip think time unless asked: the runner's few VUs would mostly sleep.
  const env = {
    THINK_TIME: '0',
    ...userEnv,
    BASE_URL: t.url,
    ...(t.token ? { TOKEN: t.token } : {}),
  };
  if (name && GENERATOR.has(name) && !f.runner) {
    const r = await runStages({
      script,
      name,
      url: t.url,
      token: t.token,
      env,
      maxVus: int(f['max-vus'], 'max-vus'),
      maxSeconds: int(f['max-seconds'], 'max-seconds'),
      timeScale: f['time-scale'] === undefined ? undefined : Number(f['time-scale']),
    });
    code = r.ok ? 0 : 99;
  } else {
    const r = await runScript({
      script,
      env,
      maxVus: int(f.vus, 'vus'),
      iterations: f.iterations === undefined ? undefined : int(f.iterations, 'iterations'),
      outDir: f.out,
    });
    code = r.ok ? 0 : 99;
  }
} catch (err) {
  console.error(`load: ${err?.stack ?? err}`);
  code = 1;
} finally {
  await cleanupAll();
}
process.exit(code);
