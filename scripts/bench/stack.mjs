// What every bench section shares: the built bundle, the database child process, a signing
// key and tokens, and a way to start Miniflare instances on that bundle. Everything started
// here is registered for cleanup (Miniflare dispose, database stop), also on errors and SIGINT.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { authSettings, mintToken, newKeyPair } from '../lib/dev-keys.mjs';
import { buildBundle, disposeAll, readWranglerConfig, startWorker } from './worker.mjs';

const cleanups = new Set();
const atExit = new Set();
// Miniflare's own SIGINT/SIGTERM hook kills workerd and calls process.exit() at once, so
// async cleanups may never finish: what must not be left behind also has a synchronous
// variant that runs on 'exit'.
process.on('exit', () => {
  for (const fn of atExit) {
    try {
      fn();
    } catch {}
  }
});

/**
 * Registers `fn` to run once at cleanup (and `onExit`, synchronous, if the process exits
 * first); returns a function that runs it now instead.
 */
export function onCleanup(fn, onExit) {
  let done = false;
  const run = async () => {
    if (done) return;
    done = true;
    cleanups.delete(run);
    if (onExit) atExit.delete(onExit);
    await fn();
  };
  cleanups.add(run);
  if (onExit) atExit.add(onExit);
  return run;
}

/** Disposes every Miniflare and stops the database; safe to call more than once. */
export async function cleanupAll() {
  await disposeAll();
  await Promise.all([...cleanups].map((run) => run().catch(() => {})));
}

/** Starts the read-model database (in-memory PGlite by default) in a child process. */
export async function startDb(backend = 'pglite') {
  const child = fork(path.join(import.meta.dirname, 'db-child.mjs'), [backend], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    execPath: process.execPath,
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = onCleanup(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        child.send('stop');
      } catch {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    () => child.kill('SIGTERM'),
  );
  const ready = await new Promise((resolve, reject) => {
    child.on('message', (m) => {
      if (m?.type === 'ready') resolve(m);
      else if (m?.type === 'error') reject(new Error(`database failed to start: ${m.message}`));
    });
    child.once('exit', (code) =>
      reject(new Error(`database process exited (${code}) before it was ready\n${stderr}`)),
    );
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  const ask = (msg) =>
    new Promise((resolve) => {
      const onMsg = (m) => {
        if (m?.type === 'ack' && m.msg === msg) {
          child.off('message', onMsg);
          resolve();
        }
      };
      child.on('message', onMsg);
      child.send(msg);
    });
  return {
    backend: ready.backend,
    /** The database process (PGlite and the bridge), e.g. to freeze it with SIGSTOP. */
    pid: child.pid,
    wsPort: ready.wsPort,
    databaseUrl: ready.databaseUrl,
    /** Refuse and cut database connections (a Postgres outage, as the Worker sees it). */
    pause: () => ask('pause'),
    resume: () => ask('resume'),
    /** Inserts a large tenant straight into the projection tables (db-child.mjs `bulk`; pglite only). */
    bulk: (o) =>
      new Promise((resolve, reject) => {
        const onMsg = (m) => {
          if (m?.type !== 'bulk-done') return;
          child.off('message', onMsg);
          if (m.error) reject(new Error(m.error));
          else resolve(m);
        };
        child.on('message', onMsg);
        child.send({ type: 'bulk', ...o });
      }),
    stop,
  };
}

/**
 * Vars the bench sets over wrangler.toml's. One client at thousands of requests per second
 * would trip every rate limit at once, so: the per-IP limit (anonymous traffic, /health) is
 * off, which keeps /health the no-dependency ceiling; the per-user and per-tenant limits are
 * raised out of reach but stay on, so every authenticated request still pays for its limiter
 * call as it does in production.
 */
export const BENCH_VARS = {
  RATE_LIMIT_IP: 'off',
  RATE_LIMIT_USER: '9999999/1s',
  RATE_LIMIT_TENANT: '9999999/1s',
};

/** Builds the bundle, starts the database, creates a key pair; returns the shared context. */
export async function prepare({ backend, storage = 'disk', log }) {
  let t = Date.now();
  const [bundle, config] = await Promise.all([buildBundle(), readWranglerConfig()]);
  const removeBundle = () => rmSync(bundle.dir, { recursive: true, force: true });
  onCleanup(removeBundle, removeBundle);
  log(`bundle built with wrangler deploy --dry-run (${Date.now() - t} ms)`);
  t = Date.now();
  const db = await startDb(backend);
  log(
    `database ${db.backend}${db.backend === 'pglite' ? ' (in memory)' : ''} ready behind ws://127.0.0.1:${db.wsPort} (${Date.now() - t} ms)`,
  );
  const keys = await newKeyPair('bench');
  const auth = authSettings();
  const vars = {
    ...BENCH_VARS,
    DATABASE_URL: db.databaseUrl,
    DB_WS_PROXY: `127.0.0.1:${db.wsPort}`,
    AUTH_PUBLIC_JWK: JSON.stringify(keys.publicJwk),
  };
  // storage 'disk': Durable Object/KV files in the OS temp dir (each commit is fsync'd, like a
  // developer's machine); 'tmpfs': in /dev/shm, where fsync costs nothing (a diagnostic).
  let storageRoot = tmpdir();
  if (storage === 'tmpfs') {
    storageRoot = mkdtempSync(path.join('/dev/shm', 'finance-edge-bench-'));
    const removeRoot = () => rmSync(storageRoot, { recursive: true, force: true });
    onCleanup(removeRoot, removeRoot);
  }
  const tempDir = (prefix) => {
    const dir = mkdtempSync(path.join(storageRoot, prefix));
    const remove = () => rmSync(dir, { recursive: true, force: true });
    return { dir, remove };
  };
  return {
    bundle,
    config,
    db,
    vars,
    storage,
    /** Where Durable Object storage lives (OS temp dir or /dev/shm). */
    storageRoot,
    /** A temporary directory on the bench's storage (disk or tmpfs). */
    tempDir,
    /** A bearer token for `tenant` with every role; `sub` names the principal. */
    token: (tenant, roles = ['admin'], sub = 'bench') =>
      mintToken({
        privateJwk: keys.privateJwk,
        tenant,
        roles,
        sub,
        ttlSeconds: 3600,
        ...auth,
      }),
    /** Starts Miniflare on the bundle; `persistDir` keeps DO/KV state across instances. */
    worker: (opts = {}) =>
      startWorker({
        config,
        bundle,
        vars: { ...vars, ...(opts.vars ?? {}) },
        // Without persistDir Miniflare keeps state in its own temp dir (OS temp), removed on dispose.
        persistDir: opts.persistDir ?? (storage === 'tmpfs' ? tempDir('instance-').dir : undefined),
        seeder: opts.seeder,
      }),
  };
}
