// One maker among the processes of a test run that need the same artifact at once (the Worker
// bundle, the blank PGlite cluster): the suites that start first all ask together, and on two
// cores each making its own copy cost seconds of CPU for nothing. A lock is a directory (mkdir
// is atomic) holding the maker's pid; the others wait for the artifact instead.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Whether the lock's maker has died (a stop mid-make never reaches its release). */
function holderGone(lock) {
  let pid;
  try {
    pid = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // just made, its pid not written yet (or the lock just released)
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return err?.code === 'ESRCH';
  }
}

/**
 * Waits until `ready()` holds or this process holds `lock`. Returns null when the artifact is
 * ready (another process made it), else a function that releases the lock: make the artifact,
 * then call it, also when making fails (the next waiter makes it then). A lock whose maker has
 * died is taken over at once; one held past `waitMs` by a live maker is taken for a stuck
 * one's: the caller makes the artifact beside it.
 * @param {string} lock
 * @param {() => boolean} ready
 * @returns {Promise<null | (() => void)>}
 */
export async function lockOrReady(lock, ready, waitMs = 45_000) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (ready()) return null;
    try {
      mkdirSync(lock);
    } catch (err) {
      if (err?.code !== 'EEXIST') throw err;
      if (holderGone(lock)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      return () => {};
    }
    writeFileSync(path.join(lock, 'pid'), String(process.pid));
    const release = () => rmSync(lock, { recursive: true, force: true });
    if (!ready()) return release;
    release();
    return null;
  }
}
