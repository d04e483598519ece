#!/usr/bin/env node
// node scripts/bench/ws-send.mjs [--sockets 1000]   (Node 22: `npx node` or node_modules/.bin/node)
// What one WebSocket `send` costs workerd, by frame size: a bare Durable Object (no app code)
// holds N hibernatable sockets of `ws` clients on 127.0.0.1 and sends each of them k frames of
// s bytes (a socket's k frames in a row); the figure is the whole workerd process's CPU time
// per frame (from /proc: the object's `send`, the Worker and Miniflare hops each frame crosses
// locally, the kernel's share), with the clients' CPU beside it. It is why the live stream
// batches (docs/performance.md, "Live stream").
import { Miniflare } from 'miniflare';
import WebSocket from 'ws';
import { flags } from '../lib/args.mjs';
import { workerdCpuMs } from './noise.mjs';
import { MINIFLARE_HOST } from './worker.mjs';

const f = flags({ sockets: { type: 'string', default: '1000' } });
const sockets = Number(f.sockets);
if (!Number.isSafeInteger(sockets) || sockets < 1 || sockets > 5000) {
  console.error('--sockets must be 1-5000');
  process.exit(2);
}

const SCRIPT = `
export class Hub {
  constructor(ctx) { this.ctx = ctx; }
  async fetch(req) {
    const u = new URL(req.url);
    if (u.pathname === '/ws') {
      const [client, server] = Object.values(new WebSocketPair());
      this.ctx.acceptWebSocket(server);
      return new Response(null, { status: 101, webSocket: client });
    }
    const k = Number(u.searchParams.get('k'));
    const frame = 'x'.repeat(Number(u.searchParams.get('size')));
    const all = this.ctx.getWebSockets();
    for (let i = 0; i < k; i++) for (const ws of all) ws.send(frame);
    return new Response(String(all.length));
  }
  webSocketMessage() {}
}
export default { fetch: (req, env) => env.HUB.get(env.HUB.idFromName('one')).fetch(req) };`;

const mf = new Miniflare({
  ...MINIFLARE_HOST,
  workers: [
    {
      config: {
        name: 'ws-send',
        compatibilityDate: '2025-01-01',
        manifest: {
          mainModule: 'index.mjs',
          modules: { 'index.mjs': { type: 'esm', contents: SCRIPT } },
        },
        env: { HUB: { type: 'durable-object', worker: 'ws-send', exportName: 'Hub' } },
        exports: { Hub: { type: 'durable-object', storage: 'sqlite' } },
      },
      dev: { unsafeRegisterWorker: false },
    },
  ],
});
const selfMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
try {
  const url = (await mf.ready).toString().replace(/\/$/, '');
  let received = 0;
  const clients = [];
  for (let i = 0; i < sockets; i += 50) {
    const group = Array.from({ length: Math.min(50, sockets - i) }, () => {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false });
      ws.on('message', () => received++);
      clients.push(ws);
      return new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    });
    await Promise.all(group);
  }
  console.log(`${sockets} hibernatable sockets; workerd CPU per frame sent to each socket:`);
  // The same bytes per row (120 KB per socket), in frames of 400 B (one event), 4 KB and 40 KB (batches).
  const rows = [
    [300, 400],
    [30, 4000],
    [3, 40_000],
  ];
  for (const [k, size] of [...rows, ...rows]) {
    received = 0;
    const [w0, s0] = [workerdCpuMs(), selfMs()];
    await fetch(`${url}/send?k=${k}&size=${size}`).then((r) => r.text());
    const deadline = Date.now() + 30_000;
    while (received < k * sockets) {
      if (Date.now() > deadline)
        throw new Error(`${received} of ${k * sockets} frames arrived in 30 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const frames = k * sockets;
    console.log(
      `  ${String(size).padStart(6)} B × ${String(k).padStart(3)}: workerd ${(((workerdCpuMs() - w0) * 1000) / frames).toFixed(1)} µs per frame, the clients ${(((selfMs() - s0) * 1000) / frames).toFixed(1)} µs`,
    );
  }
  for (const ws of clients) ws.terminate();
} finally {
  await mf.dispose();
}
