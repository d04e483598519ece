/**
 * stream.ts through the local runner's k6/websockets mapping, against a small stand-in for
 * `GET /v1/stream` that speaks the protocol of issue #17 (bearer auth on the upgrade, replay
 * after `after`, `caught_up`, live events: `events` frames when the upgrade asks `batch=true`,
 * else `event` frames; client `ack`s), and takes the writers'
 * `POST /v1/customers`, and a client-credentials token endpoint (lib/auth.ts `TOKEN_URL`).
 * It checks the script, the shared auth and the mapping, not the real stream.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runLoad } from './run-load';

const TOKEN = 'stream-test-token';
const log: Array<{ position: number; at: string }> = [];
const sockets = new Set<WebSocket>();
const acks: number[] = [];
const tokenRequests: string[] = [];
const refusedUpgrades: string[] = [];
/** `after` of every accepted upgrade: a later session resumes from its ack. */
const afters: number[] = [];
let server: Server;
let base: string;

const item = (e: { position: number; at: string }) => ({
  position: e.position,
  event: { position: e.position, type: 'customer.created', at: e.at },
});
/** The frames of `events` for a socket that asked for batches, or not. */
const frames = (events: Array<{ position: number; at: string }>, batch: boolean): string[] =>
  batch
    ? events.length > 0
      ? [JSON.stringify({ type: 'events', events: events.map(item) })]
      : []
    : events.map((e) => JSON.stringify({ type: 'event', ...item(e) }));
const batched = new WeakSet<WebSocket>();
/** `batch` of every accepted upgrade. */
const batches: string[] = [];

beforeAll(async () => {
  const wss = new WebSocketServer({ noServer: true });
  server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/token') {
      // The client-credentials grant of lib/auth.ts (TOKEN_URL), form-encoded as k6 sends an object body.
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        tokenRequests.push(`${req.headers['content-type']} ${body}`);
        const ok = new URLSearchParams(body).get('client_secret') === 'load-secret';
        res
          .writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
          .end(
            JSON.stringify(
              ok ? { access_token: TOKEN, token_type: 'Bearer' } : { error: 'invalid_client' },
            ),
          );
      });
      return;
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end();
    if (req.method === 'GET' && req.url === '/v1/me')
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ledgerPosition: log.length }));
    if (req.method === 'POST' && req.url === '/v1/customers') {
      const e = { position: log.length + 1, at: new Date().toISOString() };
      log.push(e);
      res
        .writeHead(201, {
          'content-type': 'application/json',
          'x-ledger-position': String(e.position),
        })
        .end('{}');
      for (const ws of sockets) for (const f of frames([e], batched.has(ws))) ws.send(f);
      return;
    }
    res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/v1/stream' || req.headers.authorization !== `Bearer ${TOKEN}`) {
      refusedUpgrades.push(String(req.url));
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const after = Number(url.searchParams.get('after') ?? 0);
      afters.push(after);
      batches.push(String(url.searchParams.get('batch')));
      if (url.searchParams.get('batch') === 'true') batched.add(ws);
      for (const f of frames(
        log.filter((x) => x.position > after),
        batched.has(ws),
      ))
        ws.send(f);
      ws.send(JSON.stringify({ type: 'caught_up', position: log.length }));
      sockets.add(ws);
      ws.on('message', (m) => {
        const msg = JSON.parse(String(m)) as { type: string; position: number };
        if (msg.type === 'ack') acks.push(msg.position);
      });
      ws.on('close', () => sockets.delete(ws));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const outDir = mkdtempSync(path.join(tmpdir(), 'finance-edge-stream-test-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

it('stream.ts gets a token, subscribes, acks, resumes and measures delivery while writers write', async () => {
  const args = [
    'stream',
    '--base-url',
    base,
    '-e',
    `TOKEN_URL=${base}/token`,
    '-e',
    'TOKEN_CLIENT_ID=load',
    '-e',
    'TOKEN_CLIENT_SECRET=load-secret',
    '--iterations',
    '4',
    '-e',
    'SESSION=1.5',
    '-e',
    'WRITE_RATE=4',
    '-e',
    'LATENCY_GATES=off',
    '--out',
    outDir,
  ];
  const { code, out } = await runLoad(args);
  expect(tokenRequests).toEqual([
    'application/x-www-form-urlencoded grant_type=client_credentials&client_id=load&client_secret=load-secret',
  ]);
  expect(refusedUpgrades).toEqual([]);
  expect(log.length).toBe(4); // four writes
  expect(acks.length).toBeGreaterThan(0);
  expect(afters.length).toBe(4); // 2 subscribers x 2 sessions
  expect(batches).toEqual(['true', 'true', 'true', 'true']); // as the typed client asks
  expect(Math.max(...afters)).toBeGreaterThan(0); // a second session resumed after its ack
  // Delivery latency is measured (reported, not gated: the other suites share the cores).
  const summary = JSON.parse(readFileSync(path.join(outDir, 'summary-stream.json'), 'utf8')) as {
    metrics: Record<string, { values: Record<string, number> }>;
  };
  expect(summary.metrics.stream_delivery?.values['p(95)']).toBeGreaterThanOrEqual(0);
  expect(summary.metrics.stream_delivery?.values.max).toBeLessThan(10_000);
  expect(out).toMatch(/stream_in_order \(rate\): rate=1 /);
  expect(out).toMatch(/thresholds: (\d+) of \1 held; 0 interrupted/);
  expect(code).toBe(0);
}, 60_000);

it('stream.ts against the real stream of the local stack (npm run load -- stream), one frame per event', async () => {
  const real = mkdtempSync(path.join(tmpdir(), 'finance-edge-stream-real-'));
  try {
    // BATCH=false: the stand-in above serves the batched frames; here the `event` frames.
    const args = [
      'stream',
      '-e',
      'BATCH=false',
      '--iterations',
      '6',
      '-e',
      'SESSION=2',
      '-e',
      'WRITE_RATE=4',
      '-e',
      'LATENCY_GATES=off',
      '--out',
      real,
    ];
    const { code, out } = await runLoad(args);
    expect(out).toMatch(/local stack ready at http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/stream_in_order \(rate\): rate=1 passes=[1-9]\d* fails=0/);
    expect(out).toMatch(/stream_error_frames \(counter\): count=0/);
    expect(out).toMatch(/thresholds: (\d+) of \1 held; 0 interrupted/);
    const summary = JSON.parse(readFileSync(path.join(real, 'summary-stream.json'), 'utf8')) as {
      metrics: Record<string, { values: Record<string, number> }>;
    };
    expect(summary.metrics.stream_delivery?.values['p(95)']).toBeGreaterThanOrEqual(0);
    expect(code).toBe(0);
  } finally {
    rmSync(real, { recursive: true, force: true });
  }
}, 180_000);
