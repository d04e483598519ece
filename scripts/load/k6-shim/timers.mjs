// `k6/timers` for the local runner: Node's timers, counted as the VU's pending work.
import { hold } from './runtime.mjs';

const live = new Map();

export function setTimeout(fn, ms, ...args) {
  const done = hold();
  const t = globalThis.setTimeout(() => {
    live.delete(t);
    done();
    fn(...args);
  }, ms);
  live.set(t, done);
  return t;
}

export function setInterval(fn, ms, ...args) {
  const t = globalThis.setInterval(fn, ms, ...args);
  live.set(t, hold());
  return t;
}

function clear(t) {
  globalThis.clearTimeout(t);
  globalThis.clearInterval(t);
  live.get(t)?.();
  live.delete(t);
}

export { clear as clearTimeout, clear as clearInterval };
