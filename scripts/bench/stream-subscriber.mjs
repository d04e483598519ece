// The subscribers of the `stream` bench section (stream.mjs): `ws` clients on 127.0.0.1 that
// count what they get, check the order, ack like the typed client (src/client/stream.ts) and
// resume from their ack after a close. Frames are scanned, not parsed, to keep the bench's own
// CPU low: it shares the machine's two cores with workerd.
import WebSocket from 'ws';

const EVENT_PREFIX = '{"type":"event","position":';
const EVENTS_PREFIX = '{"type":"events",';
const ITEM_MARK = '"event":{"position":';
// As the typed client (src/client/stream.ts) acks by default.
const ACK_EVERY = 500;
const ACK_DELAY_MS = 5000;

/**
 * One subscriber: counts what it gets, checks order, acks like the typed client, resumes on a
 * close. `batch`: asks for `events` frames (`?batch=true`), as the typed client does by default.
 */
export class Subscriber {
  constructor(url, token, after, batch = true) {
    Object.assign(this, {
      url,
      token,
      batch,
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
        `${this.url.replace(/^http/, 'ws')}/v1/stream?after=${this.last}&batch=${this.batch}`,
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
    if (s.startsWith(EVENTS_PREFIX)) {
      // Scanned, not parsed (as for single frames): each item is {"position":N,"event":{"position":N,…,"at":"…",…}}.
      for (let i = s.indexOf(ITEM_MARK); i >= 0; i = s.indexOf(ITEM_MARK, i + 1)) {
        const p = i + ITEM_MARK.length;
        const at = s.indexOf('"at":"', p) + 6;
        this.onEvent(Number(s.slice(p, s.indexOf(',', p))), s.slice(at, s.indexOf('"', at)));
      }
    } else if (s.startsWith(EVENT_PREFIX)) {
      const position = Number(s.slice(EVENT_PREFIX.length, s.indexOf(',', EVENT_PREFIX.length)));
      const i = s.lastIndexOf('"at":"');
      this.onEvent(position, s.slice(i + 6, s.indexOf('"', i + 6)));
    } else {
      if (s.startsWith('{"type":"caught_up"')) this.caughtUp = true;
      return;
    }
    if (this.last - this.lastAck >= ACK_EVERY) this.ack();
    else if (!this.timer) this.timer = setTimeout(() => this.ack(), ACK_DELAY_MS);
  }

  onEvent(position, at) {
    if (position <= this.last) this.duplicates++;
    else {
      if (position !== this.last + 1) this.gaps += position - this.last - 1;
      this.last = position;
      this.received++;
      this.latencies?.push(Date.now() - Date.parse(at));
    }
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

/** `n` subscribers after `after`, opened 50 at a time; resolves once all have caught up (or 30 s). */
export async function openSubscribers(url, token, after, n, batch) {
  const subs = [];
  try {
    for (let i = 0; i < n; i += 50) {
      const group = Array.from(
        { length: Math.min(50, n - i) },
        () => new Subscriber(url, token, after, batch),
      );
      subs.push(...group);
      await Promise.all(group.map((s) => s.open()));
    }
  } catch (err) {
    // None left open (and resuming on its own) behind a failed open.
    for (const s of subs) s.close();
    throw err;
  }
  await until(() => subs.every((s) => s.caughtUp), 30_000);
  return subs;
}

export async function until(done, ms) {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return done();
}
