// Main module of a rehearsal version Worker (runs in workerd, next to the built bundle's
// index.js): the bundle's own handler, with an optional injected fault for the "faulty canary"
// in the write path (a bug the read-only smoke at 0 % cannot see): on POST/PATCH/PUT/DELETE
// requests, REHEARSAL_FAULT_ERROR_RATE fails that share of the ledger object calls (the app
// answers them 5xx through its own error boundary, so its telemetry records them as it would
// a real bug) and REHEARSAL_FAULT_DELAY_MS delays each one. Both 0: the bundle unchanged.
// The share is exact, not drawn at random: with a rate of 0.5 every second call fails, so the
// first gate's 15 samples hold a failure as soon as two of them are writes (3 in 5 requests
// of the load are). Drawn at random (0.3), a starved run once saw its first 15 canary
// requests all succeed and rolled back a step late.
import worker from './index.js';

export * from './index.js';

/** Ledger calls on this version's write path so far (one isolate serves the version). */
let calls = 0;

/** Whether the next call is one of the failing share: call n fails when ⌊n·rate⌋ grows. */
function nextFails(errorRate) {
  calls += 1;
  return Math.floor(calls * errorRate) > Math.floor((calls - 1) * errorRate);
}

function faulty(stub, errorRate, delayMs) {
  return new Proxy(stub, {
    get(target, prop) {
      const value = target[prop];
      if (typeof value !== 'function' || prop === 'then') return value;
      return async (...args) => {
        if (delayMs > 0) await scheduler.wait(delayMs);
        if (errorRate > 0 && nextFails(errorRate))
          throw new Error('rehearsal fault: injected ledger failure');
        return target[prop](...args);
      };
    },
  });
}

function withFault(env, method) {
  if (method === 'GET' || method === 'HEAD') return env;
  const errorRate = Number(env.REHEARSAL_FAULT_ERROR_RATE ?? 0);
  const delayMs = Number(env.REHEARSAL_FAULT_DELAY_MS ?? 0);
  if (!(errorRate > 0) && !(delayMs > 0)) return env;
  const ns = env.TENANT_LEDGER;
  const ledger = new Proxy(ns, {
    get(target, prop) {
      const value = target[prop];
      if (typeof value !== 'function') return value;
      if (prop === 'get' || prop === 'getByName')
        return (...args) => faulty(target[prop](...args), errorRate, delayMs);
      return value.bind(target);
    },
  });
  return { ...env, TENANT_LEDGER: ledger };
}

export default {
  fetch(request, env, ctx) {
    return worker.fetch(request, withFault(env, request.method), ctx);
  },
};
