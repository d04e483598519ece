// `k6` for the local runner: check, fail, sleep, group.
import { block, emit } from './runtime.mjs';

export function check(value, sets, tags = {}) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const ok = Boolean(typeof fn === 'function' ? fn(value) : fn);
    emit('checks', 'rate', ok, { ...tags, check: name });
    all &&= ok;
  }
  return all;
}

export function fail(message = '') {
  throw new Error(message);
}

export function sleep(seconds) {
  block(Number(seconds));
}

export function group(name, fn) {
  return fn();
}

export default { check, fail, sleep, group };
