#!/usr/bin/env node
// npm run check:dev-watchdog [-- --port 8791] [-- --limit 60]
// Fault check (issue #23): starts `npm start` (scripts/dev.mjs) on --port (bridge on port + 1),
// SIGKILLs every workerd process of its wrangler, and times how long until /health answers
// 200 again; the runner must say that it restarted the Worker. Exits 1 when /health is not
// back within --limit seconds or the runner said nothing. Stops everything it started.
// Uses the worktree's .data/ and .wrangler/state like npm start does.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { flags } from './lib/args.mjs';
import { ROOT } from './lib/dev-keys.mjs';
import { waitForHttp } from './lib/wait.mjs';

const f = flags({
  port: { type: 'string', default: '8791' },
  limit: { type: 'string', default: '60' },
});
const port = Number(f.port);
const base = `http://127.0.0.1:${port}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let output = '';
const dev = spawn(
  process.execPath,
  [path.join(ROOT, 'scripts', 'dev.mjs'), '--port', String(port)],
  {
    cwd: ROOT,
    env: { ...process.env, DB_BRIDGE_PORT: String(port + 1) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  },
);
const keep = (d) => {
  output += d;
  process.stdout.write(d);
};
dev.stdout.on('data', keep);
dev.stderr.on('data', keep);
const devExited = new Promise((r) => dev.once('exit', r));
process.on('exit', () => {
  try {
    process.kill(dev.pid, 'SIGTERM');
  } catch {}
});

/** The processes named `name` in process group `pgid`. */
function inGroup(pgid, name) {
  const rows = execFileSync('ps', ['-eo', 'pid=,pgid=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n');
  return rows
    .map((r) => r.trim().split(/\s+/))
    .filter(([, g, comm]) => Number(g) === pgid && comm === name)
    .map(([pid]) => Number(pid));
}

/** wrangler: the child of dev.mjs that leads its own process group. */
function wranglerPid() {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,pgid='], { encoding: 'utf8' })
    .trim()
    .split('\n');
  const child = rows
    .map((r) => r.trim().split(/\s+/).map(Number))
    .find(([pid, ppid, pgid]) => ppid === dev.pid && pgid === pid);
  if (!child) throw new Error('no wrangler process under the dev runner');
  return child[0];
}

async function main() {
  await waitForHttp(`${base}/health`, 180_000, true);
  const group = wranglerPid();
  const victims = inGroup(group, 'workerd');
  if (victims.length === 0) throw new Error(`no workerd process in wrangler's group ${group}`);
  console.log(`\n[check] SIGKILL of workerd ${victims.join(', ')} (wrangler ${group})`);
  const before = output.length;
  for (const pid of victims) process.kill(pid, 'SIGKILL');
  const killed = performance.now();
  let backAt = null;
  while (performance.now() - killed < Number(f.limit) * 1000 * 2) {
    await sleep(250);
    const status = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.status,
      () => 0,
    );
    // The first answers may still come from the runtime wrangler restarted, which then stops
    // answering (the issue): only count /health once the runner has had its say or 15 s passed.
    if (
      status === 200 &&
      (output.slice(before).includes('[dev] the Worker answers') ||
        performance.now() - killed > 15_000)
    ) {
      backAt = performance.now() - killed;
      break;
    }
  }
  const s = backAt === null ? 'never' : `${(backAt / 1000).toFixed(1)} s`;
  // Still answering a few seconds later (not a runtime that answers once and dies).
  const steady =
    backAt !== null &&
    (await sleep(5_000),
    await fetch(`${base}/health`).then(
      (r) => r.status === 200,
      () => false,
    ));
  const said = output.slice(before);
  const restarted =
    said.includes('[dev] the Worker stopped answering') &&
    said.includes('[dev] the Worker answers');
  console.log(
    `[check] /health answers 200 again after ${s}${steady ? ' and 5 s later' : ''}; the runner ${restarted ? 'said it restarted the Worker' : 'did NOT restart the Worker'}`,
  );
  return backAt !== null && backAt <= Number(f.limit) * 1000 && steady;
}

let ok = false;
try {
  ok = await main();
} catch (err) {
  console.error(`[check] failed: ${err?.stack ?? err}`);
} finally {
  try {
    process.kill(dev.pid, 'SIGTERM');
  } catch {}
  await Promise.race([devExited, sleep(15_000)]);
  try {
    process.kill(-dev.pid, 'SIGKILL');
  } catch {}
}
console.log(ok ? '[check] OK' : '[check] FAIL');
process.exit(ok ? 0 : 1);
