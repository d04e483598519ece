// Commit → subscriber delivery for the `stream` bench section (stream.mjs): writes at an open-loop
// rate (paced.mjs) while subscribers (on their own thread, stream-subscribers.mjs) listen; each
// event is timed from its commit time (`event.at`, stamped in the ledger) to its arrival at
// every subscriber.
import { randomUUID } from 'node:crypto';
import { COMMAND_BODY } from './commands.mjs';
import { round } from './load.mjs';
import { runPaced } from './paced.mjs';
import { settle } from './stream-subscribers.mjs';

export const pct = (xs, p) => {
  const s = Float64Array.from(xs).sort();
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : null;
};

/** The tenant's ledger position (`GET /v1/me`). */
export async function ledgerPosition(url, headers) {
  return Number((await fetch(`${url}/v1/me`, { headers }).then((r) => r.json())).ledgerPosition);
}

/**
 * `POST /v1/customers` at `rate` a second for `seconds` over 10 connections while the
 * subscribers of `thread` (a SubscriberThread) are caught up; waits until every subscriber has
 * every event (30 s at most). `writesPerSec` is over the whole paced run, until its last
 * answer: below the rate when the writes fell behind.
 */
export async function measureDelivery({ url, headers, thread, rate, seconds }) {
  const head = await ledgerPosition(url, headers);
  const receivedBefore = (await thread.counts()).received;
  await thread.timeDeliveries();
  const writeMs = [];
  const t = performance.now();
  const paced = await runPaced({
    url,
    connections: 10,
    seconds,
    rate,
    draw: () => ({
      kind: 'command',
      method: 'POST',
      path: '/v1/customers',
      headers: { ...headers, 'idempotency-key': randomUUID() },
      body: COMMAND_BODY,
    }),
    onAnswer: (_kind, status, _headers, ms) => status < 300 && writeMs.push(ms),
  });
  const writesPerSec = round(paced.ok2xx / ((performance.now() - t) / 1000), 0);
  const end = await ledgerPosition(url, headers);
  const { minLast, received } = await settle(thread, end, 30_000);
  const allDelivered = minLast >= end;
  const fanSeconds = (performance.now() - t) / 1000;
  const latencies = await thread.deliveries();
  const delivered = received - receivedBefore;
  return {
    writesOk: paced.ok2xx,
    writesFailed: paced.non2xx + paced.errors,
    events: end - head,
    delivered,
    allDelivered,
    p50Ms: pct(latencies, 50),
    p99Ms: pct(latencies, 99),
    maxMs: pct(latencies, 100),
    fanOutPerSec: round(delivered / fanSeconds, 0),
    writesPerSec,
    writeP99Ms: round(pct(writeMs, 99) ?? NaN, 1),
  };
}
