#!/usr/bin/env node
// npm run check:freeze [-- --freeze 15] [-- --limit 10] [-- --db pglite|postgres-temp]
// npm run check:freeze -- --url http://127.0.0.1:8791 --pid <pid of node scripts/dev.mjs>
// Fault check (issue #23): freezes the read-model database process (PGlite and the bridge)
// with SIGSTOP for --freeze seconds while a client keeps writing and reading, then SIGCONTs it
// and times how long until /ready answers 200 and every acknowledged write is in the read
// model (a read with X-Min-Position of the last acknowledged write answers 200, not STALE).
// Prints the figures; exits 1 when recovery takes longer than --limit seconds.
// By default it runs the Worker as the bench does (built bundle in Miniflare, database in a
// child process, in memory); with --url and --pid it drives a running `npm start` instead
// (whose node process holds PGlite and the bridge; wrangler runs in its own process group).
// Everything is on 127.0.0.1.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { flags } from './lib/args.mjs';
import { cleanupAll, prepare } from './bench/stack.mjs';
import { authSettings, loadOrCreateDevKey, mintToken } from './lib/dev-keys.mjs';

const f = flags({
  freeze: { type: 'string', default: '15' },
  limit: { type: 'string', default: '10' },
  db: { type: 'string', default: 'pglite' },
  url: { type: 'string', default: '' },
  pid: { type: 'string', default: '' },
  tenants: { type: 'string', default: '10' },
  ghosts: { type: 'string', default: '4' },
  'bridge-port': { type: 'string', default: process.env.DB_BRIDGE_PORT ?? '8788' },
});
const FREEZE_MS = Number(f.freeze) * 1000;
const LIMIT_MS = Number(f.limit) * 1000;
const log = (line) => console.log(line);
const { WebSocket } = createRequire(import.meta.url)('ws');

/** A Postgres message: type byte (none for the startup), length, body. */
function message(type, body) {
  const head = Buffer.alloc(type ? 5 : 4);
  if (type) head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, type ? 1 : 0);
  return Buffer.concat([head, body]);
}

/**
 * A client that gives up without closing its socket (a request torn down mid-connect): it
 * connects through the bridge, sends its startup and a BEGIN, and then goes silent, so once
 * served it sits idle in a transaction. Opened while the database is frozen, as the
 * Worker's abandoned connections are.
 */
function ghost(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v2`);
  ws.on('error', () => {});
  ws.on('open', () => {
    const version = Buffer.alloc(4);
    version.writeInt32BE(196608);
    ws.send(
      Buffer.concat([
        message(
          '',
          Buffer.concat([version, Buffer.from('user\0postgres\0database\0postgres\0\0')]),
        ),
        message('Q', Buffer.from('BEGIN\0')),
      ]),
    );
  });
  return ws;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let frozenPid = null;
const thaw = () => {
  if (frozenPid === null) return;
  try {
    process.kill(frozenPid, 'SIGCONT');
  } catch {}
  frozenPid = null;
};
// Never leave the database stopped, whatever happens to this process.
process.on('exit', thaw);
process.on('SIGINT', () => {
  thaw();
  cleanupAll().finally(() => process.exit(130));
});

/** The Worker's URL, the pid to freeze and a token maker: a running `npm start`, or a stack of our own. */
async function target() {
  if (f.url) {
    if (!f.pid)
      throw new Error(
        '--url needs --pid (the node process of npm start, which holds PGlite and the bridge)',
      );
    const { privateJwk } = await loadOrCreateDevKey();
    return {
      url: f.url.replace(/\/$/, ''),
      pid: Number(f.pid),
      bridgePort: Number(f['bridge-port']),
      token: (tenant) =>
        mintToken({ privateJwk, tenant, roles: ['admin'], sub: 'freeze-check', ...authSettings() }),
    };
  }
  const ctx = await prepare({ backend: f.db, log });
  const w = await ctx.worker();
  return {
    url: w.url,
    pid: ctx.db.pid,
    bridgePort: ctx.db.wsPort,
    token: (tenant) => ctx.token(tenant),
  };
}

async function main() {
  const w = await target();
  const tenant = `freeze-${Date.now().toString(36)}`;
  // Other tenants write during the freeze too: each ledger's drain keeps trying to connect.
  const others = await Promise.all(
    Array.from({ length: Number(f.tenants) - 1 }, (_, i) => w.token(`${tenant}-${i}`)),
  );
  const auth = { Authorization: `Bearer ${await w.token(tenant)}` };
  let keys = 0;
  const request = (path, init = {}, timeoutMs = 12_000, as = auth) =>
    fetch(`${w.url}${path}`, {
      ...init,
      headers: { ...as, ...(init.headers ?? {}) },
      signal: AbortSignal.timeout(timeoutMs),
    })
      .then(async (res) => ({
        status: res.status,
        position: res.headers.get('X-Ledger-Position'),
        cache: res.headers.get('X-Cache'),
        body: await res.text(),
      }))
      .catch((err) => ({
        status: err?.name === 'TimeoutError' ? 'timeout' : 'error',
        position: null,
        cache: null,
        body: '',
      }));
  const write = (name, as = auth) =>
    request(
      '/v1/customers',
      {
        method: 'POST',
        body: JSON.stringify({ name }),
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `freeze-${(keys += 1)}` },
      },
      12_000,
      as,
    );

  let last = await write('Before Freeze');
  if (last.status !== 201)
    throw new Error(`first write answered ${last.status}: ${last.body.slice(0, 200)}`);
  const before = await request('/v1/customers', { headers: { 'X-Min-Position': last.position } });
  if (before.status !== 200) throw new Error(`first read answered ${before.status}`);

  log(
    `freezing the database process (pid ${w.pid}) for ${FREEZE_MS / 1000} s while writing and reading`,
  );
  frozenPid = w.pid;
  process.kill(frozenPid, 'SIGSTOP');
  const during = { writes: {}, reads: {} };
  const count = (bucket, r) => void (bucket[r.status] = (bucket[r.status] ?? 0) + 1);
  const inFlight = [];
  const ghosts = Array.from({ length: Number(f.ghosts) }, () => ghost(w.bridgePort));
  const frozenAt = performance.now();
  for (let i = 0; performance.now() - frozenAt < FREEZE_MS; i++) {
    inFlight.push(
      write(`During Freeze ${i}`).then((r) => {
        count(during.writes, r);
        if (r.status === 201 && Number(r.position) > Number(last.position)) last = r;
      }),
    );
    inFlight.push(
      request('/v1/customers', { headers: { 'Cache-Control': 'no-cache' } }).then((r) =>
        count(during.reads, r),
      ),
    );
    inFlight.push(request('/v1/reports/dashboard').then((r) => count(during.reads, r)));
    inFlight.push(request('/ready', {}, 5_000));
    for (const t of others) {
      const as = { Authorization: `Bearer ${t}` };
      inFlight.push(write(`Other ${i}`, as).then((r) => count(during.writes, r)));
      inFlight.push(request('/v1/customers', {}, 12_000, as).then((r) => count(during.reads, r)));
    }
    await sleep(500);
  }
  thaw();
  const thawed = performance.now();
  log('database resumed (SIGCONT)');

  let readyAt = null;
  let freshAt = null;
  const lastPosition = () => String(last.position);
  while (
    performance.now() - thawed < Math.max(LIMIT_MS * 4, 60_000) &&
    (freshAt === null || readyAt === null)
  ) {
    if (readyAt === null && (await request('/ready', {}, 3_000)).status === 200)
      readyAt = performance.now() - thawed;
    if (freshAt === null) {
      const fresh = await request(
        '/v1/customers?limit=100',
        { headers: { 'X-Min-Position': lastPosition() } },
        5_000,
      );
      if (fresh.status === 200 && fresh.cache !== 'STALE') freshAt = performance.now() - thawed;
    }
    if (freshAt === null || readyAt === null) await sleep(100);
  }
  await Promise.all(inFlight);
  for (const g of ghosts) g.terminate();
  const s = (ms) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);
  log(
    `during the freeze: ${ghosts.length} abandoned connections (BEGIN, then silent); writes ${JSON.stringify(during.writes)}, reads ${JSON.stringify(during.reads)}`,
  );
  log(
    `after SIGCONT: /ready 200 after ${s(readyAt)}; every acknowledged write readable (X-Min-Position ${lastPosition()}, fresh) after ${s(freshAt)}`,
  );
  const ok = freshAt !== null && readyAt !== null && Math.max(freshAt, readyAt) <= LIMIT_MS;
  log(
    ok
      ? `OK: recovered within ${LIMIT_MS / 1000} s`
      : `FAIL: not recovered within ${LIMIT_MS / 1000} s`,
  );
  return ok;
}

let ok = false;
// AbortSignal.timeout's timers do not keep Node alive: this does, while requests are pending.
const alive = setInterval(() => {}, 1_000);
try {
  ok = await main();
} catch (err) {
  console.error(`check failed: ${err?.stack ?? err}`);
} finally {
  clearInterval(alive);
  thaw();
  await cleanupAll();
}
process.exit(ok ? 0 : 1);
