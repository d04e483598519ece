// The local runtime's own floor at high concurrency: a Worker whose whole code is
// `return new Response('ok')`, under the same Miniflare setup as the bench's Worker (entry
// worker in front, one workerd thread), loaded the same way as the `/health` ceiling.
// At 1000 connections workerd leaves some connections unanswered for over autocannon's 10 s
// timeout even for this Worker (docs/performance.md): the runtime's share of `/health`'s
// timeouts, on top of which comes the cost of our own middleware. The `reads` section reports
// them next to `/health`.
import { runLoad } from './load.mjs';
import { MINIFLARE_HOST, tracked } from './worker.mjs';

const SCRIPT = 'export default { fetch() { return new Response("ok") } }';

/** Starts a no-code Worker; returns `{ url, dispose }` (registered for the bench's cleanup). */
async function startNoCodeWorker(compatibilityDate) {
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare({
    ...MINIFLARE_HOST,
    workers: [
      {
        config: {
          name: 'no-code',
          compatibilityDate,
          manifest: {
            mainModule: 'index.mjs',
            modules: { 'index.mjs': { type: 'esm', contents: SCRIPT } },
          },
        },
        dev: { unsafeRegisterWorker: false },
      },
    ],
  });
  return tracked(mf);
}

/** The no-code Worker at `connections`: warm-up, then one measured run, as for `/health`. */
export async function runtimeFloor({ compatibilityDate, connections, seconds, warmup }) {
  const w = await startNoCodeWorker(compatibilityDate);
  try {
    await runLoad({ url: w.url, connections, seconds: warmup, path: '/' });
    return await runLoad({ url: w.url, connections, seconds, path: '/' });
  } finally {
    await w.dispose();
  }
}
