/**
 * The live stream (`GET /v1/stream`, k6/websockets): subscriber VUs hold a socket each and
 * ack what they receive, while writer VUs create customers at a steady rate. Delivery latency
 * is measured per event from its commit time (`event.at`) to its arrival, so it includes
 * the clock difference between the load generator and the API (small on NTP-synced hosts;
 * compare runs from one zone). A subscriber resumes from its last ack on its next session.
 * Subscribers ask for `events` frames (`?batch=true`) as the typed client does; BATCH=false
 * takes one frame per event.
 *   k6 cloud run test/load/k6/stream.ts -e BASE_URL=https://… -e TOKEN=…
 *   -e SUBSCRIBERS=100 -e WRITE_RATE=20 -e DURATION=5m -e SESSION=60 [-e BATCH=false]
 */
import { check, fail } from 'k6';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import { token } from './lib/auth.ts';
import { BASE_URL, cloud, env, latencyGates } from './lib/config.ts';
import { summaryHandler } from './lib/summary.ts';

/** Commit (`event.at`) to arrival at the subscriber, live events only (not the replay). */
const delivery = new Trend('stream_delivery', true);
/** 1 per event that came in position order, 0 for a repeat or one out of order. */
const inOrder = new Rate('stream_in_order');
const errorFrames = new Counter('stream_error_frames');

interface StreamData {
  token: string;
  runId: string;
  head: number;
}

const duration = env('DURATION', '5m');
const batch = env('BATCH', 'true') === 'false' ? 'false' : 'true';

export const options: Options = {
  scenarios: {
    subscribers: {
      executor: 'constant-vus',
      vus: Number(env('SUBSCRIBERS', '100')),
      duration,
      exec: 'subscribe',
    },
    writers: {
      executor: 'constant-arrival-rate',
      rate: Number(env('WRITE_RATE', '20')),
      timeUnit: '1s',
      duration,
      preAllocatedVUs: 20,
      maxVUs: 100,
      exec: 'write',
    },
  },
  thresholds: {
    ...latencyGates({
      stream_delivery: ['p(95)<300', 'p(99)<500'],
      'http_req_duration{kind:command}': ['p(95)<300', 'p(99)<500'],
    }),
    stream_in_order: ['rate==1'],
    stream_error_frames: ['count==0'],
    http_req_failed: ['rate<0.005'],
    checks: ['rate>0.99'],
  },
  cloud: cloud('stream'),
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};

export function setup(): StreamData {
  const t = token();
  const me = http.get(`${BASE_URL}/v1/me`, {
    headers: { Authorization: `Bearer ${t}` },
    tags: { name: 'me' },
  });
  if (me.status !== 200) fail(`setup: GET /v1/me answered ${me.status}`);
  const head = Number((me.json() as { ledgerPosition?: number }).ledgerPosition ?? 0);
  return {
    token: t,
    runId: `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`,
    head,
  };
}

/** An event as a frame carries it: an `event` frame, or an item of an `events` frame. */
interface Item {
  position?: number;
  event?: { at?: string };
}

// Per VU: where this subscriber resumes (its last ack).
let acked = -1;
let seq = 0;

/** A subscriber session: connect after the last ack, read, ack every second, close after SESSION s. */
export function subscribe(data: StreamData): void {
  if (acked < 0) acked = data.head;
  const url = `${BASE_URL.replace(/^http/, 'ws')}/v1/stream?after=${acked}&batch=${batch}`;
  const ws = new WebSocket(url, null, {
    headers: { Authorization: `Bearer ${data.token}` },
    tags: { name: 'stream' },
  });
  let last = acked;
  let live = false;
  let opened = false;
  const ack = () => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (last > acked) {
      ws.send(JSON.stringify({ type: 'ack', position: last }));
      acked = last;
    }
    setTimeout(ack, 1000);
  };
  ws.onopen = () => {
    opened = true;
    setTimeout(ack, 1000);
    setTimeout(() => ws.close(), Number(env('SESSION', '60')) * 1000);
  };
  ws.onmessage = (e) => {
    const msg = JSON.parse(String(e?.data)) as Item & { type: string; events?: Item[] };
    const items = msg.type === 'event' ? [msg] : msg.type === 'events' ? (msg.events ?? []) : [];
    for (const item of items) {
      if (typeof item.position !== 'number') continue;
      inOrder.add(item.position > last);
      if (item.position > last) last = item.position;
      if (live && item.event?.at) delivery.add(Date.now() - Date.parse(item.event.at));
    }
    if (msg.type === 'caught_up') {
      live = true;
    } else if (msg.type === 'error') {
      errorFrames.add(1);
    }
  };
  ws.onclose = () => {
    check(opened, { 'stream: socket opened': (o) => o });
  };
}

/** A writer: one new customer, whose event every subscriber should receive. */
export function write(data: StreamData): void {
  seq += 1;
  const res = http.post(
    `${BASE_URL}/v1/customers`,
    JSON.stringify({ name: `Stream ${data.runId} ${__VU}-${seq}` }),
    {
      headers: {
        Authorization: `Bearer ${data.token}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': `k6-${data.runId}-w${__VU}-${seq}`,
      },
      tags: { kind: 'command', name: 'create customer' },
    },
  );
  check(res, { 'write: status 201': (r) => r.status === 201 });
}

export const handleSummary = summaryHandler('stream');
