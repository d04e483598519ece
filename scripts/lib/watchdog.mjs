// Watches a health URL for the dev runner (scripts/dev.mjs): after `failures` probes in a row
// that get no answer below 500 within `timeoutMs`, calls `onDown(reason)` once and waits for
// it before probing again. Any answer below 500 (a 429 of the per-IP limit too) comes from a
// running Worker; a 5xx without one is the dev proxy saying the runtime is gone. After a SIGKILL of workerd, wrangler restarts its runtime but /health
// may never answer again (issue #23): only a probe from outside notices.

/**
 * @param {{ url: string, everyMs?: number, timeoutMs?: number, failures?: number,
 *   onDown: (reason: string) => Promise<void> }} o
 * @returns {{ stop(): void }}
 */
export function watchHealth({ url, everyMs = 2_000, timeoutMs = 2_000, failures = 3, onDown }) {
  let stopped = false;
  let timer = null;
  let failed = 0;
  let lastError = '';

  async function probe() {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      if (res.status < 500) return null;
      return `status ${res.status}`;
    } catch (err) {
      return err?.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : String(err?.cause?.code ?? err?.message ?? err);
    }
  }

  async function tick() {
    if (stopped) return;
    const error = await probe();
    if (error === null) failed = 0;
    else {
      failed += 1;
      lastError = error;
    }
    if (!stopped && failed >= failures) {
      failed = 0;
      await onDown(`${failures} health checks failed, the last: ${lastError}`);
    }
    if (!stopped) timer = setTimeout(tick, everyMs);
  }

  timer = setTimeout(tick, everyMs);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
