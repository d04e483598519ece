/**
 * What `npm start` serves (`wrangler dev`: Miniflare's entry worker in front of workerd, which
 * hands the Worker `Accept-Encoding: br, gzip` whatever the client sent), read with node:http,
 * which neither sends an Accept-Encoding of its own nor decodes: a client that does not
 * accept gzip never gets gzip, for a write's answer and for a problem body over 1 KiB.
 * Starts wrangler dev on a free loopback port with its own state directory and stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, startDb } from '../../scripts/bench/stack.mjs';
import { authSettings, mintToken, newKeyPair, ROOT } from '../../scripts/lib/dev-keys.mjs';
import { waitForHttp } from '../../scripts/lib/wait.mjs';
import { rawRequest } from './wire-client';

let base = '';
let token = '';
let wrangler: ChildProcess | undefined;
let state = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function post(
  path: string,
  body: string,
  accept: string | undefined,
): Promise<{ status: number; encoding: string | undefined; text: string }> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    'idempotency-key': crypto.randomUUID(),
  };
  if (accept !== undefined) headers['accept-encoding'] = accept;
  const res = await rawRequest(base + path, 'POST', headers, body);
  const encoding = res.headers['content-encoding'];
  return {
    status: res.status,
    encoding: typeof encoding === 'string' ? encoding : undefined,
    text: res.text,
  };
}

beforeAll(async () => {
  const [db, keys, port] = await Promise.all([
    startDb('pglite'),
    newKeyPair('wrangler-dev'),
    freePort(),
  ]);
  state = mkdtempSync(path.join(tmpdir(), 'finance-edge-wrangler-dev-'));
  token = await mintToken({
    privateJwk: keys.privateJwk,
    tenant: `wd-${Date.now().toString(36)}`,
    roles: ['admin'],
    sub: 'wire',
    ttlSeconds: 600,
    ...(authSettings() as { issuer: string; audience: string }),
  });
  const vars = {
    DATABASE_URL: db.databaseUrl,
    DB_WS_PROXY: `127.0.0.1:${db.wsPort}`,
    AUTH_PUBLIC_JWK: JSON.stringify(keys.publicJwk),
    RATE_LIMIT_IP: 'off',
  };
  const args = [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--local',
    '--persist-to',
    state,
    '--show-interactive-dev-session=false',
    '--inspector-port',
    '0',
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  const bin = path.join(ROOT, 'node_modules', '.bin');
  wrangler = spawn(path.join(bin, 'wrangler'), args, {
    cwd: ROOT,
    stdio: 'ignore',
    detached: true, // its own process group: stopping it stops workerd too
    env: {
      ...process.env,
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
      WRANGLER_SEND_METRICS: 'false',
    },
  });
  base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/health`, 90_000);
}, 120_000);

// wrangler dev runs in a process group of its own, which a stop from outside (Ctrl-C, or
// `npm test` stopping the suites when a hygiene step fails) does not reach, and afterAll never
// runs then: on such a signal, stop its group here, then let the signal end this process.
function stopOnSignal(signal: NodeJS.Signals): void {
  if (wrangler?.pid !== undefined && wrangler.exitCode === null)
    try {
      process.kill(-wrangler.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  if (state) rmSync(state, { recursive: true, force: true });
  process.kill(process.pid, signal);
}
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);

afterAll(async () => {
  process.off('SIGINT', stopOnSignal);
  process.off('SIGTERM', stopOnSignal);
  if (wrangler?.pid !== undefined && wrangler.exitCode === null) {
    const exited = new Promise((r) => wrangler?.once('exit', r));
    process.kill(-wrangler.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    try {
      process.kill(-wrangler.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (state) rmSync(state, { recursive: true, force: true });
  await cleanupAll();
}, 30_000);

describe('wrangler dev: Content-Encoding follows the client', () => {
  it('a 201 and a 400 problem over 1 KiB: text without Accept-Encoding or with identity, gzip only when accepted', async () => {
    const customer = JSON.parse(
      (await post('/v1/customers', JSON.stringify({ name: 'Wire Dev Ltd' }), undefined)).text,
    ) as { id: string };
    const lines = Array.from({ length: 12 }, (_, i) => ({
      description: `Consulting, week ${i + 1}`,
      quantity: 1,
      unitAmount: 10_000 + i,
    }));
    const invoice = JSON.stringify({
      customerId: customer.id,
      currency: 'USD',
      issueDate: '2025-03-01',
      dueDate: '2025-03-31',
      lines,
    });
    const problem = JSON.stringify({
      name: 'x',
      ...Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`unknownField${i}`, i])),
    });
    for (const accept of [undefined, 'identity', 'gzip;q=0', 'deflate', 'gzip', 'br']) {
      for (const [path, body, status] of [
        ['/v1/invoices', invoice, 201],
        ['/v1/customers', problem, 400],
      ] as const) {
        const res = await post(path, body, accept);
        const label = `${path} Accept-Encoding ${accept ?? 'none'}`;
        expect(res.status, label).toBe(status);
        expect(res.text.length, label).toBeGreaterThan(1024);
        expect(() => JSON.parse(res.text) as unknown, label).not.toThrow();
        if (accept === 'gzip') expect(res.encoding, label).toBe('gzip');
        // A br client may get br from the dev server, as from Cloudflare's edge: never gzip.
        else if (accept === 'br')
          expect(res.encoding === undefined || res.encoding === 'br', label).toBe(true);
        else expect(res.encoding, label).toBeUndefined();
      }
    }
  }, 60_000);
});
