// The VU side of the local runner (see ../runner.mjs): one worker thread is one VU. Requests
// are made synchronously, as k6 makes them: the VU posts the request to the main thread,
// which runs fetch, and waits on a shared buffer (Atomics.wait) until the answer is written
// there. Metric samples are buffered and posted to the main thread after each iteration.
import { parentPort, workerData } from 'node:worker_threads';

const sab = workerData?.sab;
const state = sab ? new Int32Array(sab, 0, 2) : null;
const bytes = sab ? new Uint8Array(sab, 8) : null;
const decoder = new TextDecoder();
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The running VU: `id` (__VU), `iter` (__ITER), its scenario tag. */
export const vu = { id: 0, iter: 0, tags: {} };

/** Sends `msg` to the main thread and blocks until it answers (the answer is JSON). */
export function call(msg) {
  if (!parentPort || !state)
    throw new Error('k6 requests can only be made in a VU of the local runner');
  Atomics.store(state, 0, 0);
  parentPort.postMessage({ type: 'call', msg });
  Atomics.wait(state, 0, 0);
  const answer = JSON.parse(decoder.decode(bytes.slice(0, state[1])));
  if (answer.fatal) throw new Error(answer.fatal);
  return answer;
}

/** Blocks the VU for `seconds`, as k6's sleep does. */
export function block(seconds) {
  if (seconds > 0) Atomics.wait(sleeper, 0, 0, seconds * 1000);
}

const buffer = [];
/** Records one metric sample with the VU's tags. */
export function emit(name, type, value, tags = {}, contains = 'default') {
  buffer.push({ name, type, value: Number(value), tags: { ...vu.tags, ...tags }, contains });
}

/** Registers a custom metric (in the init context, as k6 does), so it exists without samples. */
export function declare(name, type, contains = 'default') {
  buffer.push({ name, type, contains, declare: true });
}

/** Posts the buffered samples to the main thread. */
export function flush() {
  if (parentPort && buffer.length)
    parentPort.postMessage({ type: 'samples', samples: buffer.splice(0) });
}

// An iteration ends once its async work (websockets, timers) is done, as in k6.
let pending = 0;
const waiters = [];
/** Marks async work as pending; returns the function that ends it (idempotent). */
export function hold() {
  pending += 1;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    pending -= 1;
    if (pending === 0) for (const w of waiters.splice(0)) w();
  };
}

/** Resolves when no async work is pending. */
export function idle() {
  return pending === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
}
