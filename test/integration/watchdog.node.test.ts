/**
 * The dev runner's health watchdog (scripts/lib/watchdog.mjs): a Worker that stops answering
 * /health (hangs, or the dev proxy's bare 5xx) is reported once after `failures` probes in a
 * row; any answer below 500 (a 429 too) counts as alive.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { watchHealth } from '../../scripts/lib/watchdog.mjs';

let server: http.Server | undefined;
let watch: { stop(): void } | undefined;

afterEach(async () => {
  watch?.stop();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A /health whose answer the test switches: a status, or 'hang' (never answers). */
async function health() {
  const state = { answer: 200 as number | 'hang' };
  server = http.createServer((_req, res) => {
    if (state.answer !== 'hang') res.writeHead(state.answer).end();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health` };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('dev runner watchdog', () => {
  it.each([
    { answer: 'hang' as const, reason: /no answer within 100 ms/ },
    { answer: 500, reason: /status 500/ },
  ])(
    'reports a /health that turns to $answer after 3 failed probes in a row, and no more once it answers',
    async ({ answer, reason }) => {
      const { state, url } = await health();
      const downs: string[] = [];
      watch = watchHealth({
        url,
        everyMs: 50,
        timeoutMs: 100,
        failures: 3,
        onDown: async (r: string) => void downs.push(r),
      });
      await sleep(400);
      expect(downs).toEqual([]);
      state.answer = answer;
      await sleep(800);
      expect(downs.length).toBeGreaterThanOrEqual(1);
      expect(downs[0]).toMatch(reason);
      state.answer = 200;
      // Probes already in flight when it recovered may still time out: let them settle first.
      await sleep(300);
      const after = downs.length;
      await sleep(400);
      expect(downs.length).toBe(after);
    },
  );

  it('counts a 429 as alive: the Worker answered', async () => {
    const { state, url } = await health();
    state.answer = 429;
    const downs: string[] = [];
    watch = watchHealth({
      url,
      everyMs: 50,
      timeoutMs: 100,
      failures: 3,
      onDown: async (r: string) => void downs.push(r),
    });
    await sleep(600);
    expect(downs).toEqual([]);
  });
});
