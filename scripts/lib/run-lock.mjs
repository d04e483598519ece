// One maker among the processes of a test run that need the same artifact at once (the Worker
// bundle, the blank PGlite cluster): the suites that start first all ask together, and on two
// cores each making its own copy cost seconds of CPU for nothing. A lock is a directory (mkdir
// is atomic); the others wait for the artifact instead.
import { mkdirSync, rmSync } from 'node:fs';

/**
 * Waits until `ready()` holds or this process holds `lock`. Returns null when the artifact is
 * ready (another process made it), else a function that releases the lock: make the artifact,
 * then call it, also when making fails (the next waiter makes it then). A lock held past
 * `waitMs` is taken for a dead maker's: the caller makes the artifact beside it.
 * @param {string} lock
 * @param {() => boolean} ready
 * @returns {Promise<null | (() => void)>}
 */
export async function lockOrReady(lock, ready, waitMs = 120_000) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (ready()) return null;
    try {
      mkdirSync(lock);
    } catch {
      if (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      return () => {};
    }
    const release = () => rmSync(lock, { recursive: true, force: true });
    if (!ready()) return release;
    release();
    return null;
  }
}
