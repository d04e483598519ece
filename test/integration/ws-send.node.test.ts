/**
 * scripts/bench/ws-send.mjs, the figure behind the stream's batching (docs/performance.md,
 * "Live stream"): it starts its own bare Durable Object on 127.0.0.1, sends every row's frames
 * to every socket, and prints workerd's CPU per frame for each size. A small run here keeps it
 * working; the figures themselves come from a full run on a quiet machine.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

it('prints workerd CPU per frame for 400 B, 4 KB and 40 KB frames, twice, and refuses a bad --sockets', async () => {
  const { stdout } = await run(process.execPath, ['scripts/bench/ws-send.mjs', '--sockets', '20'], {
    cwd: ROOT,
    timeout: 60_000,
  });
  expect(stdout).toContain('20 hibernatable sockets');
  const rows = [
    ...stdout.matchAll(
      /^\s+(\d+) B × +(\d+): workerd ([\d.]+) µs per frame, the clients ([\d.]+) µs$/gm,
    ),
  ];
  expect(rows.map((r) => [Number(r[1]), Number(r[2])])).toEqual([
    [400, 300],
    [4000, 30],
    [40_000, 3],
    [400, 300],
    [4000, 30],
    [40_000, 3],
  ]);
  for (const r of rows) expect(Number.isFinite(Number(r[3]))).toBe(true);
  const bad = await run(process.execPath, ['scripts/bench/ws-send.mjs', '--sockets', '0'], {
    cwd: ROOT,
  }).catch((err: { code: number; stderr: string }) => err);
  expect(bad).toMatchObject({ code: 2 });
  expect((bad as { stderr: string }).stderr).toContain('--sockets must be 1-5000');
}, 90_000);
