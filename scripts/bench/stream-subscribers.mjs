// The `stream` section's subscribers on a thread of their own (node:worker_threads). On the
// bench's main thread, a thousand sockets' frames (~10 µs each) queued ahead of the load
// generator's answers: the closed-loop commands waited in this process, not in the Worker, and
// the throughput with subscribers measured the bench. Here the commands (autocannon, the paced
// writer) keep the main thread and the subscribers (stream-subscriber.mjs) run beside them;
// the main thread asks this thread for their counts by message.
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { openSubscribers } from './stream-subscriber.mjs';

/** Subscribers in a worker thread; every method is one request/answer message. */
export class SubscriberThread {
  constructor() {
    this.worker = new Worker(new URL(import.meta.url));
    this.next = 0;
    this.waiting = new Map();
    this.worker.on('message', ({ id, ok, value, error }) => {
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      if (ok) w?.resolve(value);
      else w?.reject(new Error(error));
    });
    // A thread that failed or ended answers nothing more: every call waiting, and every later
    // one, is rejected rather than left to hang the bench.
    const fail = (err) => {
      this.failed ??= err;
      for (const w of this.waiting.values()) w.reject(this.failed);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the subscriber thread exited (${code})`)));
  }

  call(op, args = {}) {
    if (this.failed) return Promise.reject(this.failed);
    const id = (this.next += 1);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args });
    });
  }

  /** Opens `n` subscribers after `after` (all closed first); resolves with how many caught up. */
  open(url, token, after, n, batch) {
    return this.call('open', { url, token, after, n, batch });
  }

  /**
   * Over every subscriber: the lowest last position (`minLast`), events received, gaps,
   * duplicates, server closes by code, and `behind(head)`: the events still missing up to `head`.
   */
  async counts() {
    const { lasts, ...c } = await this.call('counts');
    return {
      ...c,
      minLast: lasts.length ? Math.min(...lasts) : Infinity,
      behind: (head) => lasts.reduce((n, last) => n + Math.max(0, head - last), 0),
    };
  }

  /** From now on, each subscriber records each event's delivery latency (ms). */
  timeDeliveries() {
    return this.call('time');
  }

  /** The latencies recorded since `timeDeliveries` (a Float64Array), and stops recording. */
  deliveries() {
    return this.call('deliveries');
  }

  /** Closes every subscriber (they do not resume). */
  closeAll() {
    return this.call('closeAll');
  }

  /** Closes the subscribers (if the thread still answers) and ends the thread. */
  async stop() {
    await this.closeAll().catch(() => {});
    await this.worker.terminate();
  }
}

/**
 * Waits (at most `ms`) until every subscriber has `head`: the events they missed (`lost`) and
 * got twice, with the last `counts()`.
 */
export async function settle(thread, head, ms = 60_000) {
  const deadline = Date.now() + ms;
  let c = await thread.counts();
  while (c.minLast < head && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    c = await thread.counts();
  }
  return { ...c, lost: c.gaps + c.behind(head) };
}

if (!isMainThread) {
  /** @type {import('./stream-subscriber.mjs').Subscriber[]} */
  let subs = [];
  const closeAll = () => {
    for (const s of subs) s.close();
    subs = [];
  };
  const ops = {
    async open({ url, token, after, n, batch }) {
      closeAll();
      subs = await openSubscribers(url, token, after, n, batch);
      return subs.filter((s) => s.caughtUp).length;
    },
    counts() {
      const closes = {};
      for (const s of subs)
        for (const [code, k] of Object.entries(s.closes)) closes[code] = (closes[code] ?? 0) + k;
      return {
        lasts: Float64Array.from(subs, (s) => s.last),
        received: subs.reduce((n, s) => n + s.received, 0),
        gaps: subs.reduce((n, s) => n + s.gaps, 0),
        duplicates: subs.reduce((n, s) => n + s.duplicates, 0),
        closes,
      };
    },
    time() {
      for (const s of subs) s.latencies = [];
    },
    deliveries() {
      const all = Float64Array.from(subs.flatMap((s) => s.latencies ?? []));
      for (const s of subs) s.latencies = null;
      return all;
    },
    closeAll,
  };
  parentPort.on('message', async ({ id, op, args }) => {
    try {
      parentPort.postMessage({ id, ok: true, value: await ops[op](args) });
    } catch (err) {
      parentPort.postMessage({
        id,
        ok: false,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  });
}
