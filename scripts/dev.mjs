#!/usr/bin/env node
// npm start [-- --reset] [-- --demo] [-- --port 8787]
// Runs the API locally: the read-model database (embedded PGlite by default) behind the
// WebSocket bridge, migrations, then the Worker in workerd via `wrangler dev` on
// http://127.0.0.1:8787. Ctrl-C / SIGTERM stops everything and frees the ports.
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

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  if (worker && worker.exitCode === null) {
    try {
      process.kill(-worker.pid, 'SIGTERM'); // the whole group: wrangler and workerd
    } catch {}
    await Promise.race([new Promise((r) => worker.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
    try {
      process.kill(-worker.pid, 'SIGKILL');
    } catch {}
  }
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
  RATE_LIMIT_IP: '1000/15m',
};
const args = [
  'dev', '--ip', '127.0.0.1', '--port', f.port, '--local', '--persist-to', STATE,
  '--show-interactive-dev-session=false', '--inspector-port', '0',
  ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
];
worker = spawn(path.join(ROOT, 'node_modules', '.bin', 'wrangler'), args, {
  cwd: ROOT,
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true, // own process group, so shutdown reaches workerd too
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
});
worker.once('exit', (code) => {
  if (!stopping) {
    console.error(`wrangler exited (${code}); stopping`);
    shutdown(code ?? 1);
  }
});

const base = `http://127.0.0.1:${f.port}`;
await waitForHttp(`${base}/health`, 90_000);
if (f.demo) {
  const { seedDemo } = await import('./demo.mjs');
  try {
    const summary = await seedDemo(base, 'demo');
    console.log(`demo: tenant "demo" seeded (${summary.requests} requests; replays are no-ops)`);
  } catch (err) {
    console.error(`demo seeding failed: ${err.message}`);
  }
}
const token = await mintToken({ privateJwk, tenant: 'demo', roles: ['admin'], sub: 'dev-user', ...authSettings() });
console.log(`
finance-edge is up on ${base} (${((Date.now() - started) / 1000).toFixed(1)} s)
  curl -s ${base}/ready
  curl -s -H "Authorization: Bearer ${token}" ${base}/v1/me
Mint other tokens with: npm run token -- --tenant <id> --roles <r1,r2> [--sub <user>]
Ctrl-C stops the Worker, the bridge and the database.
`);
