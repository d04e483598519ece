/**
 * scripts/lib/run-lock.mjs: of the processes that need one artifact at once, one makes it and
 * the others wait for it; a maker that fails hands the lock on; a dead maker's lock is taken
 * over at once, a stuck one's after the wait.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockOrReady } from '../../scripts/lib/run-lock.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'run-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lockOrReady', () => {
  it('one caller makes the artifact; the others wait and find it made', async () => {
    const artifact = path.join(dir, 'a');
    const ready = () => existsSync(artifact);
    const first = await lockOrReady(`${artifact}.lock`, ready);
    expect(first).toBeTypeOf('function');
    const waiters = [
      lockOrReady(`${artifact}.lock`, ready),
      lockOrReady(`${artifact}.lock`, ready),
    ];
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(artifact, 'made');
    first?.();
    expect(await Promise.all(waiters)).toEqual([null, null]);
    expect(existsSync(`${artifact}.lock`)).toBe(false);
  });

  it('a maker that fails releases the lock, and the next waiter makes the artifact', async () => {
    const artifact = path.join(dir, 'b');
    const ready = () => existsSync(artifact);
    const failing = await lockOrReady(`${artifact}.lock`, ready);
    const next = lockOrReady(`${artifact}.lock`, ready);
    await new Promise((r) => setTimeout(r, 200));
    failing?.(); // released without making it
    const release = await next;
    expect(release).toBeTypeOf('function');
    release?.();
  });

  it('the lock of a maker that died is taken over at once', async () => {
    const artifact = path.join(dir, 'd');
    mkdirSync(`${artifact}.lock`);
    // A pid that is no process: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(path.join(`${artifact}.lock`, 'pid'), String(dead));
    const started = Date.now();
    const release = await lockOrReady(`${artifact}.lock`, () => existsSync(artifact), 10_000);
    expect(release).toBeTypeOf('function');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(readFileSync(path.join(`${artifact}.lock`, 'pid'), 'utf8')).toBe(String(process.pid));
    release?.();
  });

  it('a lock held past the wait by a live maker: the caller makes the artifact beside it', async () => {
    const artifact = path.join(dir, 'c');
    mkdirSync(`${artifact}.lock`);
    writeFileSync(path.join(`${artifact}.lock`, 'pid'), String(process.ppid));
    const started = Date.now();
    const release = await lockOrReady(`${artifact}.lock`, () => existsSync(artifact), 300);
    expect(release).toBeTypeOf('function');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    release?.(); // not this caller's lock: left in place
    expect(existsSync(`${artifact}.lock`)).toBe(true);
  });
});
