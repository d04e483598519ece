// CPU profile of the app in workerd over the inspector protocol (Chrome DevTools `Profiler`
// domain), for `hitpath.mjs --profile`: which functions a request's time is spent in, by self
// time and by inclusive time (a function's own samples plus everything it called).
import { processTree } from './noise.mjs';
import WebSocket from 'ws';

/** Connects to the first inspector target whose title names `worker`; returns `send(method, params)`. */
export async function inspector(port, worker) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const target = targets.find((t) => String(t.title ?? t.id).includes(worker)) ?? targets[0];
  const ws = new WebSocket(target.webSocketDebuggerUrl ?? `ws://127.0.0.1:${port}/${target.id}`);
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  let id = 0;
  const pending = new Map();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.id !== undefined && pending.has(m.id)) {
      pending.get(m.id)(m);
      pending.delete(m.id);
    }
  });
  return {
    targets: targets.map((t) => t.title ?? t.id),
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const n = ++id;
        pending.set(n, (m) => (m.error ? reject(new Error(m.error.message)) : resolve(m.result)));
        ws.send(JSON.stringify({ id: n, method, params }));
      }),
    close: () => ws.close(),
  };
}

const label = (f) =>
  `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.split('/').pop()}:${f.lineNumber + 1}` : ''}`.trim();

/**
 * The source module of each line of a bundle: esbuild marks where each module starts with a
 * `// path/to/module.ts` comment line. Returns `line (0-based) → module`.
 */
export function bundleModules(source) {
  const starts = [];
  source.split('\n').forEach((line, i) => {
    const m = /^\/\/ ((?:src|durable-objects|node_modules)\/\S+)$/.exec(line);
    if (m) starts.push([i, m[1].replace(/^node_modules\/((?:@[^/]+\/)?[^/]+).*$/, '$1')]);
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle prelude)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid][0] <= line) {
        found = starts[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** Self time per source module (runtime built-ins by name), in % of the non-idle samples. */
export function byModule(profile, moduleOf, top = 30) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map();
  let total = 0;
  for (const s of profile.samples) {
    const f = byId.get(s).callFrame;
    if (f.functionName === '(idle)') continue;
    total++;
    const name = f.url.endsWith('index.js')
      ? moduleOf(f.lineNumber)
      : `(runtime) ${f.functionName || f.url || 'native'}`;
    out.set(name, (out.get(name) ?? 0) + 1);
  }
  return [...out.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, n]) => ({ module: name, pct: Math.round((n / total) * 1000) / 10 }));
}

/** Top functions of a `.cpuprofile` by self and inclusive share of the samples (idle excluded). */
export function summarize(profile, top = 60) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map();
  for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const self = new Map();
  const incl = new Map();
  let total = 0;
  for (const [nodeId, count] of hits) {
    const node = byId.get(nodeId);
    const name = label(node.callFrame);
    if (
      ['(idle)', '(program)', '(garbage collector)'].includes(node.callFrame.functionName) &&
      node.callFrame.functionName === '(idle)'
    )
      continue;
    total += count;
    self.set(name, (self.get(name) ?? 0) + count);
    const seen = new Set();
    for (let id = nodeId; id !== undefined; id = parent.get(id)) {
      const l = label(byId.get(id).callFrame);
      if (seen.has(l)) continue;
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + count);
    }
  }
  const pct = (x) => Math.round((x / total) * 1000) / 10;
  const rank = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, n]) => ({ name, pct: pct(n) }));
  return { samples: total, self: rank(self), inclusive: rank(incl) };
}

/** CPU ticks (1/100 s) used so far by this process's workerd descendants, from /proc (Linux). */
export function workerdTicks() {
  let ticks = 0;
  for (const s of processTree().values()) if (s.comm === 'workerd') ticks += s.own;
  return ticks;
}
