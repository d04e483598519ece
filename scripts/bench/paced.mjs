// Open-loop load at a constant arrival rate over a fixed pool of keep-alive connections (the
// wrk2 model): request i is due at start + i/rate whatever happened to the ones before it, and
// its latency is measured from when it was due, so time spent waiting for a free connection
// counts (no coordinated omission).
//
// Written by hand because none of the load tools here does this. autocannon's `overallRate` is
// a per-connection budget per second, refilled by a 1 s timer (lib/httpClient.js): every
// connection sends its share back to back when the second starts, then idles. Its "paced" run
// is a closed loop at full concurrency for part of every second, and its latency is that of the
// closed loop (docs/performance.md, "Paced is not paced"). k6's constant-arrival-rate executor
// does what this does, but k6 has no package on these registries.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * @param {{ url: string, connections: number, seconds: number, rate: number,
 *   draw: () => { kind: string, method: string, path: string, headers: Record<string, string>, body?: string },
 *   onAnswer: (kind: string, status: number, headers: Record<string, string | string[]>, ms: number) => void,
 *   timeoutMs?: number }} o
 */
export async function runPaced({
  url,
  connections,
  seconds,
  rate,
  draw,
  onAnswer,
  timeoutMs = 10_000,
}) {
  const target = new URL(url);
  // fifo: the connection idle longest takes the next request, so all of them carry the load.
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: connections,
    maxFreeSockets: connections,
    scheduling: 'fifo',
  });
  const send = (d) =>
    new Promise((resolve, reject) => {
      const headers = {
        ...d.headers,
        ...(d.body === undefined ? {} : { 'content-length': Buffer.byteLength(d.body) }),
      };
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: d.method,
          path: d.path,
          headers,
          agent,
          timeout: timeoutMs,
        },
        (res) => {
          res.on('data', () => {});
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })),
      );
      req.on('error', reject);
      req.end(d.body);
    });
  try {
    // Open every connection before the clock starts.
    await Promise.all(
      Array.from({ length: connections }, () =>
        send({ method: 'GET', path: '/health', headers: {} }),
      ),
    );
    const counts = { ok2xx: 0, non2xx: 0, errors: 0, timeouts: 0 };
    const late = [];
    const pending = new Set();
    const total = Math.round(rate * seconds);
    const start = performance.now();
    const dueAt = (i) => start + (i * 1000) / rate;
    let i = 0;
    await new Promise((resolve) => {
      const tick = () => {
        const now = performance.now();
        for (; i < total && dueAt(i) <= now; i++) {
          const due = dueAt(i);
          late.push(now - due);
          const d = draw();
          const p = send(d).then(
            ({ status, headers }) => {
              counts[status >= 200 && status < 300 ? 'ok2xx' : 'non2xx']++;
              onAnswer(d.kind, status, headers, performance.now() - due);
            },
            (err) => {
              counts.errors++;
              if (err?.code === 'ETIMEOUT') counts.timeouts++;
            },
          );
          pending.add(p);
          p.finally(() => pending.delete(p));
        }
        if (i >= total) resolve();
        else setTimeout(tick, Math.max(0, Math.min(5, dueAt(i) - performance.now())));
      };
      tick();
    });
    await Promise.allSettled([...pending]);
    // Rates are per scheduled second: the arrivals span `seconds`. `late`: how far behind
    // schedule each request left (the generator's own lag), in ms.
    return { seconds, ...counts, late };
  } finally {
    agent.destroy();
  }
}
