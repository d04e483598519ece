// The rehearsal's bounded load through the splitter: writes (new customers, each with an
// Idempotency-Key) and reads, over a few tenants, half of the requests pinned with
// Cloudflare-Workers-Version-Key. Every write answered 201 is "acknowledged" and recorded
// (tenant, id, ledger position); `lostWrites` later checks each one in the ledger and, after
// catch-up, in the read model.
import { randomUUID } from 'node:crypto';

/**
 * Runs until `stop()` is called or `maxRequests` / `maxMs` is reached.
 * @param {{ url: string, tenants: string[], token: (t: string) => Promise<string>|string, concurrency?: number, maxRequests?: number, maxMs?: number, label: string }} o
 */
export function startLoad(o) {
  const acked = [];
  const statuses = {};
  let sent = 0;
  let stopped = false;
  const started = Date.now();
  const tokens = new Map();
  const tokenOf = async (t) => tokens.get(t) ?? tokens.set(t, await o.token(t)).get(t);
  const loop = async (n) => {
    while (
      !stopped &&
      sent < (o.maxRequests ?? 20_000) &&
      Date.now() - started < (o.maxMs ?? 120_000)
    ) {
      sent++;
      const tenant = o.tenants[(sent + n) % o.tenants.length];
      const headers = { Authorization: `Bearer ${await tokenOf(tenant)}` };
      if (sent % 2 === 0) headers['Cloudflare-Workers-Version-Key'] = `${tenant}-${n}`;
      let res;
      try {
        if (sent % 5 < 3) {
          const name = `${o.label} customer ${sent}`;
          res = await fetch(`${o.url}/v1/customers`, {
            method: 'POST',
            headers: {
              ...headers,
              'Content-Type': 'application/json',
              'Idempotency-Key': randomUUID(),
            },
            body: JSON.stringify({ name }),
            signal: AbortSignal.timeout(15_000),
          });
          const body = await res.json().catch(() => null);
          if (res.status === 201 && body?.id)
            acked.push({
              tenant,
              id: body.id,
              position: Number(res.headers.get('X-Ledger-Position') ?? 0),
            });
        } else {
          res = await fetch(`${o.url}${sent % 5 === 3 ? '/v1/customers?limit=5' : '/health'}`, {
            headers,
            signal: AbortSignal.timeout(15_000),
          });
          await res.arrayBuffer();
        }
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      } catch {
        statuses.failed = (statuses.failed ?? 0) + 1;
      }
    }
  };
  const done = Promise.all(Array.from({ length: o.concurrency ?? 6 }, (_, n) => loop(n)));
  return {
    acked,
    statuses,
    /** Stops sending and waits for the requests in flight. */
    async stop() {
      stopped = true;
      await done;
      return { sent, acked: acked.length, statuses };
    },
  };
}

/** GET with retries on 5xx/429 (the read model may be catching up). */
async function getJson(url, headers, tries = 20) {
  for (let i = 0; ; i++) {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(15_000) });
    if (res.status < 500 && res.status !== 429)
      return { status: res.status, body: await res.json().catch(() => null) };
    await res.arrayBuffer();
    if (i >= tries) return { status: res.status, body: null };
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Acknowledged writes missing from the ledger (GET /v1/customers/:id answers from the ledger)
 * or from the read model (the customer list read with X-Min-Position = the tenant's newest
 * acknowledged position, which waits for the projection).
 */
export async function lostWrites({ url, acked, token }) {
  const missing = new Set();
  const byTenant = new Map();
  for (const w of acked) byTenant.set(w.tenant, [...(byTenant.get(w.tenant) ?? []), w]);
  for (const [tenant, writes] of byTenant) {
    const headers = { Authorization: `Bearer ${await token(tenant)}` };
    for (let i = 0; i < writes.length; i += 8) {
      await Promise.all(
        writes.slice(i, i + 8).map(async (w) => {
          const r = await getJson(`${url}/v1/customers/${w.id}`, headers);
          if (r.status !== 200 || r.body?.id !== w.id) missing.add(w.id);
        }),
      );
    }
    const minPosition = Math.max(...writes.map((w) => w.position));
    const seen = new Set();
    let cursor = null;
    do {
      const r = await getJson(
        `${url}/v1/customers?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { ...headers, 'X-Min-Position': String(minPosition) },
      );
      if (r.status !== 200) throw new Error(`read model list for ${tenant} answered ${r.status}`);
      for (const c of r.body.data) seen.add(c.id);
      cursor = r.body.hasMore ? r.body.nextCursor : null;
    } while (cursor);
    for (const w of writes) if (!seen.has(w.id)) missing.add(w.id);
  }
  return missing.size;
}
