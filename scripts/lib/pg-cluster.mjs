// A throwaway PostgreSQL cluster from Debian's postgresql package (initdb + postgres in a
// temp dir on a free port), for running the read-model tests against a real server.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const DEFAULT_BIN = '/usr/lib/postgresql/15/bin';

/** A free TCP port on 127.0.0.1 (asks the OS, then releases it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @param {{ bin?: string, dataDir?: string | null }} [opts]
 * @returns {Promise<{ port: number, databaseUrl: string, stop: () => Promise<void> }>}
 */
export async function startTempCluster(opts = {}) {
  const bin = opts.bin ?? process.env.PG_BIN ?? DEFAULT_BIN;
  if (!existsSync(path.join(bin, 'initdb'))) {
    throw new Error(`PostgreSQL binaries not found in ${bin}: apt-get install postgresql (or set PG_BIN)`);
  }
  const temp = !opts.dataDir;
  const root = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'finance-edge-pg-'));
  mkdirSync(root, { recursive: true });
  const dataDir = path.join(root, 'data');
  // initdb refuses to run as root: run the server as the package's `postgres` user.
  const asRoot = process.getuid?.() === 0;
  const wrap = (cmd, args) => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  if (asRoot) execFileSync('chown', ['-R', 'postgres', root]);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const [c, a] = wrap(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    execFileSync(c, a, { stdio: 'ignore' });
  }
  const port = await freePort();
  const [c, a] = wrap(path.join(bin, 'postgres'), [
    '-D', dataDir, '-p', String(port), '-k', root, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'max_connections=200',
  ]);
  const child = spawn(c, a, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  await waitForPort(port, 15000, () => child.exitCode !== null && `postgres exited: ${stderr}`);
  return {
    port,
    databaseUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGINT'); // fast shutdown
        await new Promise((r) => child.once('exit', r));
      }
      if (temp) rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port, timeoutMs, failed = () => false) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const why = failed();
    if (why) throw new Error(why);
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
