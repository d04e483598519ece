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
 * @param {{ host?: string, port: number, upstream: { host: string, port: number }, serialize?: boolean | { idleInTransactionMs?: number, contendedIdleMs?: number } }} opts
 *   `serialize`: the upstream is one session (PGlite); let one connection at a time use it
 *   (scripts/lib/pg-serial.mjs).
 * @returns {Promise<{ port: number, close: () => Promise<void>, setPaused: (p: boolean) => void, cut: (match: string) => void, restore: (match: string) => void, freeze: (match: string) => void, thaw: (match?: string) => void }>}
 */
export async function startBridge({ host = '127.0.0.1', port, upstream, serialize = false }) {
  const sockets = new Set();
  const gate = serialize ? createSerialGate(typeof serialize === 'object' ? serialize : {}) : null;
  let paused = false;
  // Freezing (tests): a connection whose client sends bytes containing one of these strings
  // stops, both ways, from that message on, as if the database hung mid-statement; `thaw`
  // lets the held bytes through in order. Other connections are not affected.
  const freezeOn = new Set();
  const frozen = new Set();
  // Cutting (tests): a connection whose client sends one of these strings is dropped at that
  // message, as in an outage, until `restore`. Matching a tenant id (or an application_name)
  // keeps a test's outage to its own connections, so suites can run side by side.
  const cutOn = new Set();
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
    const link = { held: [], frozen: false, by: '' };
    const relay = (move) => (link.frozen ? link.held.push(move) : move());
    tcp.on('data', (data) =>
      relay(() => {
        gated?.server(data);
        if (ws.readyState === ws.OPEN) ws.send(data);
      }),
    );
    tcp.on('error', closeBoth);
    tcp.on('close', closeBoth);
    ws.on('message', (data) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      // Tests only: the bench and `npm start` never cut or freeze, so skip the scans then.
      if (cutOn.size > 0 && [...cutOn].some((m) => buf.includes(m))) {
        // Closed as a refused connection is (a bare drop leaves the driver's query pending
        // until its deadline).
        ws.close(1013, 'unavailable');
        closeBoth();
        return;
      }
      const by =
        link.frozen || freezeOn.size === 0 ? undefined : [...freezeOn].find((m) => buf.includes(m));
      if (by !== undefined) {
        link.frozen = true;
        link.by = by;
        frozen.add(link);
      }
      relay(() => {
        if (gated) gated.client(buf);
        else toUpstream(buf);
      });
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
    /** Drop every connection that sends `match` (at that message) until `restore(match)`. */
    cut(match) {
      cutOn.add(match);
    },
    restore(match) {
      cutOn.delete(match);
    },
    /** Freeze every connection that sends `match` (from that message on) until `thaw`. */
    freeze(match) {
      freezeOn.add(match);
    },
    /**
     * Lets the connections frozen by `match` (by any, without it) go on — what they held
     * flows in order — and freezes no more on it.
     */
    thaw(match) {
      if (match === undefined) freezeOn.clear();
      else freezeOn.delete(match);
      for (const link of frozen) {
        if (match !== undefined && link.by !== match) continue;
        link.frozen = false;
        frozen.delete(link);
        for (const move of link.held.splice(0)) move();
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
