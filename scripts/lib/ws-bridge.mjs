// WebSocket -> TCP bridge for the Neon serverless driver (local stand-in for Neon's proxy).
// The driver speaks the Postgres wire protocol inside WebSocket frames; each WebSocket
// becomes one TCP connection to the configured upstream. The upstream is fixed by the
// operator: the `address` the client asks for is ignored, so the bridge is no open proxy.
// Written by hand because no maintained package does only this (wsproxy-style packages
// are unmaintained or pull in a whole server); it is ~60 lines over `ws` and `net`.
import net from 'node:net';
import { createRequire } from 'node:module';
import { createSerialGate } from './pg-serial.mjs';

// Loaded through require so Vite (vitest globalSetup) cannot swap in ws's browser stub.
const { WebSocketServer } = createRequire(import.meta.url)('ws');

/**
 * @param {{ host?: string, port: number, upstream: { host: string, port: number }, serialize?: boolean | { idleInTransactionMs?: number } }} opts
 *   `serialize`: the upstream is one session (PGlite); let one connection at a time use it
 *   (scripts/lib/pg-serial.mjs).
 * @returns {Promise<{ port: number, close: () => Promise<void>, setPaused: (p: boolean) => void }>}
 */
export async function startBridge({ host = '127.0.0.1', port, upstream, serialize = false }) {
  const sockets = new Set();
  const gate = serialize ? createSerialGate(typeof serialize === 'object' ? serialize : {}) : null;
  let paused = false;
  const wss = new WebSocketServer({ host, port, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    if (paused) {
      ws.close(1013, 'unavailable');
      return;
    }
    const tcp = net.connect(upstream.port, upstream.host);
    tcp.setNoDelay(true);
    const pending = [];
    let open = false;
    sockets.add(tcp);
    const toUpstream = (buf) => {
      if (open) tcp.write(buf);
      else pending.push(buf);
    };
    tcp.on('connect', () => {
      open = true;
      for (const chunk of pending) tcp.write(chunk);
      pending.length = 0;
    });
    const closeBoth = () => {
      gated?.close();
      sockets.delete(tcp);
      tcp.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.terminate();
    };
    const gated = gate?.attach({ send: toUpstream, kill: closeBoth });
    tcp.on('data', (data) => {
      gated?.server(data);
      if (ws.readyState === ws.OPEN) ws.send(data);
    });
    tcp.on('error', closeBoth);
    tcp.on('close', closeBoth);
    ws.on('message', (data) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (gated) gated.client(buf);
      else toUpstream(buf);
    });
    ws.on('close', closeBoth);
    ws.on('error', closeBoth);
  });
  await new Promise((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const address = wss.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    /** Refuse new connections and cut open ones: simulates a Postgres outage. */
    setPaused(p) {
      paused = p;
      if (p) {
        for (const client of wss.clients) client.terminate();
        for (const s of sockets) s.destroy();
      }
    },
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        for (const s of sockets) s.destroy();
        wss.close(() => resolve());
      }),
  };
}
