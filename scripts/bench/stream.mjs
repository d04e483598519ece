// `stream`: the live ledger stream (docs/stream.md) of ONE tenant with many subscribers, all on
// 127.0.0.1 and bounded: catch-up time of a 10k-event log, commit→client delivery latency at
// 1,000 subscribers under 200 writes/s (open loop), events/s fanned out, lost or duplicated
// events (must be 0), workerd's memory, and command throughput into the tenant with those
// subscribers against the same run without them.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { COMMAND_BODY } from './commands.mjs';
import { round, runLoad } from './load.mjs';
import { runPaced } from './paced.mjs';

const EVENT_PREFIX = '{"type":"event","position":';
// As the typed client (src/client/stream.ts) acks by default.
const ACK_EVERY = 500;
const ACK_DELAY_MS = 5000;

/** One subscriber: counts what it gets, checks order, acks like the typed client, resumes on a close. */
class Subscriber {
  constructor(url, token, after) {
    Object.assign(this, {
      url,
      token,
      last: after,
      received: 0,
      duplicates: 0,
      gaps: 0,
      closes: {},
      latencies: null,
      caughtUp: false,
      lastAck: after,
    });
  }

  open() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(
        `${this.url.replace(/^http/, 'ws')}/v1/stream?after=${this.last}`,
        ['finance-edge.v1'],
        { headers: { authorization: `Bearer ${this.token}` }, perMessageDeflate: false },
      );
      this.ws = ws;
      ws.on('message', (data) => this.onFrame(data.toString()));
      ws.once('open', resolve);
      ws.once('error', reject);
      ws.once('close', (code) => {
        clearTimeout(this.timer);
        this.closes[code] = (this.closes[code] ?? 0) + 1;
        if (!this.stopped) this.open().catch(() => {});
      });
    });
  }

  onFrame(s) {
    if (!s.startsWith(EVENT_PREFIX)) {
      if (s.startsWith('{"type":"caught_up"')) this.caughtUp = true;
      return;
    }
    const position = Number(s.slice(EVENT_PREFIX.length, s.indexOf(',', EVENT_PREFIX.length)));
    if (position <= this.last) this.duplicates++;
    else {
      if (position !== this.last + 1) this.gaps += position - this.last - 1;
      this.last = position;
      this.received++;
      if (this.latencies) {
        const i = s.lastIndexOf('"at":"');
        this.latencies.push(Date.now() - Date.parse(s.slice(i + 6, s.indexOf('"', i + 6))));
      }
    }
    if (this.last - this.lastAck >= ACK_EVERY) this.ack();
    else if (!this.timer) this.timer = setTimeout(() => this.ack(), ACK_DELAY_MS);
  }

  ack() {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.last <= this.lastAck || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(`{"type":"ack","position":${this.last}}`);
    this.lastAck = this.last;
  }

  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000);
  }
}

const pct = (xs, p) => {
  const s = Float64Array.from(xs).sort();
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : null;
};

/** RSS (MiB) of the workerd processes this bench started (Miniflare's children). */
function workerdRssMiB() {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));
  const children = new Map();
  for (const [pid, ppid] of rows) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const mine = new Set();
  const walk = (pid) => (children.get(pid) ?? []).forEach((c) => (mine.add(c), walk(c)));
  walk(String(process.pid));
  return round(
    rows
      .filter(([pid, , , comm]) => mine.has(pid) && comm.startsWith('workerd'))
      .reduce((n, r) => n + Number(r[2]), 0) / 1024,
    0,
  );
}

async function until(done, ms) {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return done();
}

export async function benchStream(ctx, { quick, log }) {
  const subscribers = quick ? 200 : 1000;
  const rate = 200;
  const seconds = quick ? 3 : 10;
  const loadSeconds = quick ? 2 : 6;
  const catchUpEvents = quick ? 2000 : 10_000;
  const w = await ctx.worker({
    seeder: true,
    vars: { STREAM_MAX_CONNECTIONS_PER_USER: '5000', STREAM_MAX_CONNECTIONS_PER_TENANT: '5000' },
  });
  const subs = [];
  try {
    // Catch-up: one socket replays a 10k-event log (acking as the typed client does).
    const catchTenant = `bench-stream-catchup-${Date.now().toString(36)}`;
    await w.seed('creates', { tenantId: catchTenant, count: catchUpEvents, concurrency: 10 });
    const reader = new Subscriber(w.url, await ctx.token(catchTenant), 0);
    let t = performance.now();
    await reader.open();
    const caught = await until(() => reader.caughtUp, 30_000);
    const catchUp = {
      events: reader.received,
      ms: round(performance.now() - t, 0),
      caughtUp: caught,
      gaps: reader.gaps,
      duplicates: reader.duplicates,
    };
    reader.close();
    log(
      `  catch-up: ${catchUp.events} events replayed to caught_up in ${catchUp.ms} ms (gaps ${catchUp.gaps}, duplicates ${catchUp.duplicates})`,
    );

    const tenant = `bench-stream-${Date.now().toString(36)}`;
    const token = await ctx.token(tenant);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const command = {
      url: w.url,
      connections: 10,
      method: 'POST',
      path: '/v1/customers',
      headers,
      body: COMMAND_BODY,
      uniqueIdempotencyKey: true,
    };
    await runLoad({ ...command, seconds: 1 });
    const without = await runLoad({ ...command, seconds: loadSeconds });
    const memBefore = workerdRssMiB();

    const head = Number(
      (await fetch(`${w.url}/v1/me`, { headers }).then((r) => r.json())).ledgerPosition,
    );
    t = performance.now();
    for (let i = 0; i < subscribers; i += 50) {
      const batch = Array.from(
        { length: Math.min(50, subscribers - i) },
        () => new Subscriber(w.url, token, head),
      );
      subs.push(...batch);
      await Promise.all(batch.map((s) => s.open()));
    }
    await until(() => subs.every((s) => s.caughtUp), 30_000);
    const connectMs = round(performance.now() - t, 0);
    const memWith = workerdRssMiB();
    log(
      `  ${subscribers} subscribers connected and caught up in ${connectMs} ms; workerd RSS ${memBefore} → ${memWith} MiB`,
    );

    // Delivery at an open-loop 200 writes/s.
    for (const s of subs) s.latencies = [];
    const draw = () => ({
      kind: 'command',
      method: 'POST',
      path: '/v1/customers',
      headers: { ...headers, 'idempotency-key': randomUUID() },
      body: COMMAND_BODY,
    });
    t = performance.now();
    const paced = await runPaced({
      url: w.url,
      connections: 10,
      seconds,
      rate,
      draw,
      onAnswer: () => {},
    });
    const headAfter = Number(
      (await fetch(`${w.url}/v1/me`, { headers }).then((r) => r.json())).ledgerPosition,
    );
    const allIn = await until(() => subs.every((s) => s.last >= headAfter), 30_000);
    const fanSeconds = (performance.now() - t) / 1000;
    const latencies = subs.flatMap((s) => s.latencies);
    for (const s of subs) s.latencies = null;
    const delivered = subs.reduce((n, s) => n + s.received, 0);
    const delivery = {
      writesOk: paced.ok2xx,
      writesFailed: paced.non2xx + paced.errors,
      events: headAfter - head,
      delivered,
      allDelivered: allIn,
      p50Ms: pct(latencies, 50),
      p99Ms: pct(latencies, 99),
      maxMs: pct(latencies, 100),
      fanOutPerSec: round(delivered / fanSeconds, 0),
    };
    log(
      `  ${rate} writes/s for ${seconds} s → ${delivery.events} events to each of ${subscribers}: delivery p50 ${delivery.p50Ms} ms, p99 ${delivery.p99Ms} ms, max ${delivery.maxMs} ms; ${delivery.fanOutPerSec} events/s fanned out`,
    );

    // Throughput into the tenant with the subscribers attached (closed loop, as without).
    const withSubs = await runLoad({ ...command, seconds: loadSeconds });
    const final = Number(
      (await fetch(`${w.url}/v1/me`, { headers }).then((r) => r.json())).ledgerPosition,
    );
    await until(() => subs.every((s) => s.last >= final), 60_000);
    const lost = subs.reduce((n, s) => n + s.gaps + Math.max(0, final - s.last), 0);
    const duplicates = subs.reduce((n, s) => n + s.duplicates, 0);
    const closes = subs.reduce(
      (acc, s) => (Object.entries(s.closes).forEach(([c, n]) => (acc[c] = (acc[c] ?? 0) + n)), acc),
      {},
    );
    const ratio = round(withSubs.ok2xx / withSubs.seconds / (without.ok2xx / without.seconds), 3);
    log(
      `  commands/s at 10 connections: ${round(without.ok2xx / without.seconds, 0)} without subscribers, ${round(withSubs.ok2xx / withSubs.seconds, 0)} with ${subscribers} (ratio ${ratio}); lost ${lost}, duplicated ${duplicates}, server closes ${JSON.stringify(closes)}`,
    );

    const targets = [
      {
        name: `delivery p99 < 100 ms at ${subscribers} subscribers`,
        value: `${delivery.p99Ms} ms`,
        pass: delivery.p99Ms !== null && delivery.p99Ms < 100,
      },
      {
        name: '0 events lost or duplicated',
        value: `${lost} lost, ${duplicates} duplicated`,
        pass: lost === 0 && duplicates === 0 && delivery.allDelivered,
      },
      {
        name: `catch-up of ${catchUpEvents} events < 1 s`,
        value: `${catchUp.ms} ms`,
        pass: catchUp.caughtUp && catchUp.events >= catchUpEvents && catchUp.ms < 1000,
      },
      {
        name: 'command throughput with subscribers within 20 % of without',
        value: `ratio ${ratio}`,
        pass: ratio >= 0.8,
      },
    ];
    return {
      subscribers,
      rate,
      seconds,
      catchUp,
      connectMs,
      memoryMiB: { workerdBefore: memBefore, workerdWithSubscribers: memWith },
      delivery,
      throughput: {
        without: { perSec: round(without.ok2xx / without.seconds, 0), p99: without.latencyMs.p99 },
        withSubscribers: {
          perSec: round(withSubs.ok2xx / withSubs.seconds, 0),
          p99: withSubs.latencyMs.p99,
        },
        ratio,
      },
      lost,
      duplicates,
      closes,
      targets,
    };
  } finally {
    for (const s of subs) s.close();
    await w.dispose();
  }
}
