// How much of the machine the bench had: CPU time used by this process tree (bench, workerd,
// database child) vs by everything else, from /proc (Linux only; elsewhere null); and, for a
// section's own phases, workerd's memory and the share of a core workerd and the bench used.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const TICK = 100; // USER_HZ: clock ticks per second of /proc/*/stat on Linux
const PAGE = 4096; // bytes per page of /proc/*/statm on x86-64 Linux (these machines)

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces).
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')),
      ppid: Number(f[1]),
      own: Number(f[11]) + Number(f[12]),
      children: Number(f[13]) + Number(f[14]),
    };
  } catch {
    return null;
  }
}

/** This process and its live descendants: pid → /proc stat fields (`comm`, `own`, `children` ticks). */
export function processTree() {
  const stats = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(name);
    if (s) stats.set(Number(name), s);
  }
  const mine = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, s] of stats)
      if (!mine.has(pid) && mine.has(s.ppid)) (mine.add(pid), (grew = true));
  }
  return new Map([...mine].map((pid) => [pid, stats.get(pid)]));
}

/** Ticks of this process (and the children it has reaped) plus every live descendant. */
function treeTicks() {
  let ticks = 0;
  for (const s of processTree().values()) ticks += s.own + s.children;
  return ticks;
}

function machineTicks() {
  const cpu = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const idle = cpu[3] + (cpu[4] ?? 0);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Starts a measurement; `stop()` answers CPU shares in percent of the whole machine. */
export function cpuWatch() {
  if (os.platform() !== 'linux') return { stop: () => null };
  let start;
  try {
    start = { tree: treeTicks(), machine: machineTicks() };
  } catch {
    return { stop: () => null };
  }
  return {
    stop() {
      try {
        const tree = treeTicks() - start.tree;
        const m = machineTicks();
        const total = m.total - start.machine.total;
        const busy = m.busy - start.machine.busy;
        if (total <= 0) return null;
        const pct = (x) => Math.round((1000 * x) / total) / 10;
        return {
          benchPct: pct(Math.min(tree, busy)),
          othersPct: pct(Math.max(0, busy - tree)),
          idlePct: pct(total - busy),
          seconds: Math.round(total / TICK / os.availableParallelism()),
        };
      } catch {
        return null;
      }
    },
  };
}

/**
 * Latency of a 4 KiB write + fsync in `dir` (the Durable Object storage's file system): on
 * disk every ledger commit waits for this before its answer leaves. Median and p90, in ms.
 */
export function fsyncProbe(dir, count = 40) {
  const { closeSync, fsyncSync, openSync, rmSync, writeSync } = process.getBuiltinModule('node:fs');
  const { join } = process.getBuiltinModule('node:path');
  const file = join(dir, `.bench-fsync-${process.pid}`);
  const block = Buffer.alloc(4096, 7);
  const times = [];
  const fd = openSync(file, 'w');
  try {
    for (let i = 0; i < count; i++) {
      const t = process.hrtime.bigint();
      writeSync(fd, block, 0, block.length, 0);
      fsyncSync(fd);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  times.sort((a, b) => a - b);
  const at = (p) =>
    Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))] * 100) / 100;
  return { p50: at(0.5), p90: at(0.9) };
}

/** RSS (MiB) of the workerd processes this bench started (Miniflare's children), from /proc. */
export function workerdRssMiB() {
  let pages = 0;
  for (const [pid, p] of processTree()) {
    if (p.comm !== 'workerd') continue;
    try {
      pages += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    } catch {
      // Exited meanwhile.
    }
  }
  return Math.round((pages * PAGE) / 2 ** 20);
}

/** CPU time (ms) of the workerd processes this bench started (all their threads). */
export function workerdCpuMs() {
  let ticks = 0;
  for (const p of processTree().values()) if (p.comm === 'workerd') ticks += p.own;
  return (ticks * 1000) / TICK;
}

/** CPU time (ms) of workerd and of this process. */
function cpuMs() {
  const self = process.cpuUsage();
  return { workerd: workerdCpuMs(), bench: (self.user + self.system) / 1000 };
}

/** Runs `fn`; returns its result and the share of one core workerd and this process used meanwhile. */
export async function withCpu(fn) {
  const c0 = cpuMs();
  const t0 = performance.now();
  const result = await fn();
  const c1 = cpuMs();
  const ms = performance.now() - t0;
  return {
    result,
    cpu: {
      workerd: Math.round(((c1.workerd - c0.workerd) / ms) * 100) / 100,
      bench: Math.round(((c1.bench - c0.bench) / ms) * 100) / 100,
    },
  };
}
