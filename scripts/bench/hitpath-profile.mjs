// CPU profile of the app in workerd over the inspector protocol (Chrome DevTools `Profiler`
// domain), for `hitpath.mjs --profile`: which functions a request's time is spent in, by self
// time and by inclusive time (a function's own samples plus everything it called).
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
