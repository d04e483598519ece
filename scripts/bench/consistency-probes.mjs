// The write-then-read probes of the `consistency` section, done the way a new user would: plain
// HTTP (Node's fetch, keep-alive), a write, then at once the read that must show it. One
// tenant per probe, so what each read must contain is known exactly. A read "misses" when
// its 200 answer does not include the write; a non-200 answer is counted apart (never a hit).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { round } from './load.mjs';

const AMOUNT = 10_000;

/** One HTTP exchange: status, headers, parsed JSON body (or null), ms until the body was read. */
export async function call(url, { method = 'GET', path, token, body, headers = {} }) {
  const t = performance.now();
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  const ms = performance.now() - t;
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, json, text, ms };
}

/** A write that must succeed (2xx): its JSON body, latency and `X-Ledger-Position`. */
async function write(url, o) {
  const r = await call(url, o);
  if (r.status < 200 || r.status > 299)
    throw new Error(`${o.method} ${o.path} answered ${r.status}: ${r.text.slice(0, 300)}`);
  return { body: r.json, ms: r.ms, position: r.headers.get('x-ledger-position') };
}

const day = (base, i) =>
  new Date(Date.parse(`${base}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);

/** A customer for a probe's tenant; its id. */
export async function newCustomer(url, token, name = 'Probe Customer') {
  const w = await write(url, {
    method: 'POST',
    path: '/v1/customers',
    token,
    body: { name, email: 'probe@example.com' },
  });
  return w.body.id;
}

/**
 * A draft invoice. `i` spreads the issue dates (newest first in the default list order), so
 * the latest draft heads the list; `word` goes into the memo for the search probe.
 */
export function createDraft(url, { token, customerId, i, word, issueDate }) {
  const issue = issueDate ?? day('2027-01-01', i);
  return write(url, {
    method: 'POST',
    path: '/v1/invoices',
    token,
    body: {
      customerId,
      currency: 'USD',
      issueDate: issue,
      dueDate: day(issue, 30),
      memo: `Probe ${word ?? i}`,
      lines: [{ description: 'Consistency probe', quantity: 1, unitAmount: AMOUNT }],
    },
  });
}

export const issueDraft = (url, token, id) =>
  write(url, { method: 'POST', path: `/v1/invoices/${id}/issue`, token });

/** Creates a draft (with `s.word` in its memo when set) and remembers its id in `s.id`. */
async function writeDraft(url, s, i) {
  const w = await createDraft(url, { token: s.token, customerId: s.customerId, i, word: s.word });
  s.id = w.body.id;
  return w;
}

/** Whether a page (`{ data }`) holds the draft just written. */
const holdsId = (json, s) => Array.isArray(json?.data) && json.data.some((x) => x.id === s.id);

/** Before each try of a report probe: a draft to issue, dated yesterday so reports of today count it. */
async function draftToIssue(url, s) {
  const yesterday = day(new Date().toISOString().slice(0, 10), -1);
  const w = await createDraft(url, {
    token: s.token,
    customerId: s.customerId,
    issueDate: yesterday,
  });
  s.draft = w.body.id;
}

/** Issues the draft; keeps count of the invoices (`s.issued`) and amounts (`s.owed`) issued. */
async function writeIssue(url, s) {
  const w = await issueDraft(url, s.token, s.draft);
  s.issued = (s.issued ?? 0) + 1;
  s.owed = (s.owed ?? 0) + Number(w.body.total);
  return w;
}

/**
 * The probes: `setup` makes what a try needs before its timed write, `write` is the write,
 * `read` the path read right after it, `sees(json, state)` whether the answer includes it.
 */
export const PROBES = {
  list: {
    label: 'invoices list (GET /v1/invoices?limit=10)',
    write: writeDraft,
    read: () => '/v1/invoices?limit=10',
    sees: holdsId,
  },
  /** The list one client of many reads: its own customer's invoices. */
  customerList: {
    label: "a customer's invoices (GET /v1/invoices?customerId=…&limit=10)",
    write: writeDraft,
    read: (s) => `/v1/invoices?customerId=${s.customerId}&limit=10`,
    sees: holdsId,
  },
  search: {
    label: 'search (GET /v1/search?q={memo word}&types=invoice)',
    write(url, s, i) {
      s.word = `zq${s.run}n${i}x`;
      return writeDraft(url, s, i);
    },
    read: (s) => `/v1/search?q=${s.word}&types=invoice`,
    sees: holdsId,
  },
  arAging: {
    label: "AR aging (GET /v1/reports/ar-aging; the write issues a draft: the customer's total)",
    setup: draftToIssue,
    write: writeIssue,
    read: () => '/v1/reports/ar-aging',
    sees: (json, s) =>
      (json?.currencies ?? []).some(
        (c) =>
          c.currency === 'USD' &&
          c.customers.some((x) => x.customerId === s.customerId && x.total >= s.owed),
      ),
  },
  dashboard: {
    label: 'dashboard (GET /v1/reports/dashboard; the write issues a draft: openInvoices)',
    setup: draftToIssue,
    write: writeIssue,
    read: () => '/v1/reports/dashboard',
    sees: (json, s) => (json?.counts?.openInvoices ?? -1) >= s.issued,
  },
};

/** An empty record for `runProbe` (concurrent loops may share one). */
export const newRecord = () => ({
  tries: 0,
  misses: 0,
  non200: 0,
  xcache: {},
  write: [],
  read: [],
  seen: [],
  unseen: 0,
  probeChecked: undefined,
});

/**
 * `tries` times: (setup,) the write, then at once one read of the probe's path, by `reader`
 * (default the writer), with `X-Min-Position` when `minPosition`. With `untilSeen`, a read that
 * missed is repeated every 10 ms until the answer shows the write (or `untilSeen` ms passed):
 * `seen` is the time from the write's acknowledgement to the first answer that shows it.
 * Adds to `rec` and returns it.
 */
export async function runProbe(url, probe, s, o, rec = newRecord()) {
  let w;
  for (let i = 0; i < o.tries; i++) {
    await probe.setup?.(url, s);
    w = await probe.write(url, s, i);
    const acked = performance.now();
    rec.write.push(w.ms);
    const headers = o.minPosition ? { 'x-min-position': w.position } : {};
    const read = () => call(url, { path: probe.read(s), token: o.reader ?? s.token, headers });
    let r = await read();
    rec.tries++;
    rec.read.push(r.ms);
    const x = r.headers.get('x-cache') ?? 'none';
    rec.xcache[x] = (rec.xcache[x] ?? 0) + 1;
    let seen = r.status === 200 && probe.sees(r.json, s);
    if (r.status !== 200) rec.non200++;
    else if (!seen) rec.misses++;
    if (!o.untilSeen) continue;
    while (!seen && performance.now() - acked < o.untilSeen) {
      await new Promise((res) => setTimeout(res, 10));
      r = await read();
      seen = r.status === 200 && probe.sees(r.json, s);
    }
    if (seen) rec.seen.push(performance.now() - acked);
    else rec.unseen++;
  }
  // The probe's own check: read with the last write's position as X-Min-Position (the
  // documented way to see a write), as the writer. An answer that still does not show it means
  // the probe misjudges, and its misses would say nothing about the API.
  if (w) {
    let r;
    // A 503 (the read model still behind after the Worker's wait) is asked again, 3 times at most.
    for (let n = 0; n < 3 && r?.status !== 200; n++) {
      if (r) await new Promise((res) => setTimeout(res, 1000));
      r = await call(url, {
        path: probe.read(s),
        token: s.token,
        headers: { 'x-min-position': w.position },
      });
    }
    const ok = r.status === 200 && probe.sees(r.json, s);
    rec.probeChecked = (rec.probeChecked ?? true) && ok;
  }
  return rec;
}

/** Counts and percentiles of a record. */
export function summarize(rec) {
  return {
    tries: rec.tries,
    /** False when the probe did not recognize its own write even read with X-Min-Position. */
    probeChecked: rec.probeChecked,
    misses: rec.misses,
    non200: rec.non200,
    xcache: rec.xcache,
    writeMs: pcts(rec.write),
    readMs: pcts(rec.read),
    ...(rec.seen.length || rec.unseen ? { seenMs: pcts(rec.seen), unseen: rec.unseen } : {}),
  };
}

/** p50, p99 and max of latencies in ms (null when there are none). */
export function pcts(xs) {
  const s = Float64Array.from(xs).sort();
  const p = (q) =>
    s.length ? round(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)], 1) : null;
  return { n: s.length, p50: p(0.5), p99: p(0.99), max: p(1) };
}
