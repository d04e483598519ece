#!/usr/bin/env node
// npm start [-- --reset] [-- --demo] [-- --port 8787]
// Runs the API locally: the read-model database (embedded PGlite by default) behind the
// WebSocket bridge, migrations, then the Worker in workerd via `wrangler dev` on
// http://127.0.0.1:8787. Ctrl-C / SIGTERM stops everything and frees the ports.
// A watchdog probes /health every 2 s: when it stops answering (3 probes in a row), or
// wrangler exits, the Worker is restarted and the runner says so (at most 5 times in 10 min).
// Data persists in .data/ (Postgres) and .wrangler/state/ (DO, KV) unless --reset.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { flags } from './lib/args.mjs';
import { startDbStack } from './lib/db-stack.mjs';
import { runMigrations } from './lib/migrate.mjs';
import { authSettings, loadOrCreateDevKey, mintToken, ROOT } from './lib/dev-keys.mjs';
import { stackOptionsFromEnv } from './lib/stack-env.mjs';
import { waitForHttp } from './lib/wait.mjs';
import { watchHealth } from './lib/watchdog.mjs';

const f = flags({
  reset: { type: 'boolean', default: false },
  demo: { type: 'boolean', default: false },
  port: { type: 'string', default: process.env.PORT ?? '8787' },
});
const DATA = path.join(ROOT, '.data');
const STATE = path.join(ROOT, '.wrangler', 'state');
if (f.reset) {
  rmSync(path.join(DATA, 'pglite'), { recursive: true, force: true });
  rmSync(path.join(DATA, 'postgres'), { recursive: true, force: true });
  rmSync(STATE, { recursive: true, force: true });
  console.log('reset: local database and Durable Object/KV state removed');
}

const started = Date.now();
const { publicJwk, privateJwk } = await loadOrCreateDevKey();
const opts = stackOptionsFromEnv(DATA);
const stack = await startDbStack(opts);
let worker = null;
let stopping = false;
let watchdog = null;

/** Stops wrangler and workerd (the whole process group): SIGTERM, SIGKILL after 5 s. */
async function stopWorker() {
  const w = worker;
  if (!w || w.exitCode !== null || w.signalCode !== null) return;
  try {
    process.kill(-w.pid, 'SIGTERM');
  } catch {}
  await Promise.race([
    new Promise((r) => w.once('exit', r)),
    new Promise((r) => setTimeout(r, 5000)),
  ]);
  try {
    process.kill(-w.pid, 'SIGKILL');
  } catch {}
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  watchdog?.stop();
  await stopWorker();
  await stack.stop().catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

try {
  await runMigrations(stack);
} catch (err) {
  console.error(`migrations failed: ${err.message}`);
  await shutdown(1);
}
console.log(`postgres (${stack.backend}) ready behind ws://127.0.0.1:${stack.wsPort}`);

const vars = {
  DATABASE_URL: stack.databaseUrl,
  DB_WS_PROXY: `127.0.0.1:${stack.wsPort}`,
  AUTH_PUBLIC_JWK: JSON.stringify(publicJwk),
  // Locally there is no CF-Connecting-IP: every anonymous request (the readiness poll, /docs,
  // curl) shares one client key, and the IP buckets persist in .wrangler/state across restarts.
  // The watchdog's /health probes take 450 of each 15 minutes.
  RATE_LIMIT_IP: '3000/15m',
};
const args = [
  'dev',
  '--ip',
  '127.0.0.1',
  '--port',
  f.port,
  '--local',
  '--persist-to',
  STATE,
  '--show-interactive-dev-session=false',
  '--inspector-port',
  '0',
  ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
];
const base = `http://127.0.0.1:${f.port}`;
const RESTARTS_ALLOWED = 5;
const RESTART_WINDOW_MS = 10 * 60_000;
const restarts = [];
let restarting = false;

function startWorker() {
  const w = spawn(path.join(ROOT, 'node_modules', '.bin', 'wrangler'), args, {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true, // own process group, so shutdown reaches workerd too
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  worker = w;
  w.once('exit', (code, signal) => {
    if (!stopping && !restarting && worker === w)
      restartWorker(`wrangler exited (${code ?? signal})`);
  });
}

/**
 * Restarts wrangler and workerd and waits for /health, saying so. In-flight requests of the
 * old runtime may have got a bare 500 from the dev proxy: retry them with the same
 * Idempotency-Key (docs/runbook.md).
 */
async function restartWorker(reason) {
  if (stopping || restarting) return;
  restarting = true;
  const now = Date.now();
  while (restarts.length && now - restarts[0] > RESTART_WINDOW_MS) restarts.shift();
  if (restarts.length >= RESTARTS_ALLOWED) {
    console.error(
      `[dev] the Worker is down again (${reason}) after ${RESTARTS_ALLOWED} restarts in ${RESTART_WINDOW_MS / 60_000} min; stopping`,
    );
    await shutdown(1);
    return;
  }
  restarts.push(now);
  console.error(
    `[dev] the Worker stopped answering ${base}/health (${reason}); restarting wrangler`,
  );
  await stopWorker();
  startWorker();
  try {
    await waitForHttp(`${base}/health`, 90_000);
    console.error(
      `[dev] the Worker answers ${base}/health again (restarted in ${((Date.now() - now) / 1000).toFixed(1)} s)`,
    );
  } catch (err) {
    console.error(`[dev] the restarted Worker does not answer: ${err.message}; stopping`);
    await shutdown(1);
  } finally {
    restarting = false;
  }
}

startWorker();
await waitForHttp(`${base}/health`, 90_000);
watchdog = watchHealth({ url: `${base}/health`, onDown: restartWorker });
if (f.demo) {
  const { seedDemo } = await import('./demo.mjs');
  try {
    const summary = await seedDemo(base, 'demo');
    console.log(`demo: tenant "demo" seeded (${summary.requests} requests; replays are no-ops)`);
  } catch (err) {
    console.error(`demo seeding failed: ${err.message}`);
  }
}
const token = await mintToken({
  privateJwk,
  tenant: 'demo',
  roles: ['admin'],
  sub: 'dev-user',
  ...authSettings(),
});
console.log(`
finance-edge is up on ${base} (${((Date.now() - started) / 1000).toFixed(1)} s)
  curl -s ${base}/ready
  curl -s -H "Authorization: Bearer ${token}" ${base}/v1/me
Mint other tokens with: npm run token -- --tenant <id> --roles <r1,r2> [--sub <user>]
Ctrl-C stops the Worker, the bridge and the database.
`);
