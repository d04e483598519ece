// A throwaway PostgreSQL cluster from Debian's postgresql package (initdb + postgres in a
// temp dir on a free port), for running the read-model tests against a real server.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
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
 * With `tls` (PEM strings), the server runs with ssl=on and accepts TCP connections only over
 * TLS (pg_hba `hostssl`, no `host` line): a plain connection is refused.
 * @param {{ bin?: string, dataDir?: string | null, tls?: { cert: string, key: string } }} [opts]
 * @returns {Promise<{ port: number, databaseUrl: string, stop: () => Promise<void> }>}
 */
export async function startTempCluster(opts = {}) {
  const bin = opts.bin ?? process.env.PG_BIN ?? DEFAULT_BIN;
  if (!existsSync(path.join(bin, 'initdb'))) {
    throw new Error(
      `PostgreSQL binaries not found in ${bin}: apt-get install postgresql (or set PG_BIN)`,
    );
  }
  const temp = !opts.dataDir;
  const root = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'finance-edge-pg-'));
  mkdirSync(root, { recursive: true });
  const dataDir = path.join(root, 'data');
  // initdb refuses to run as root: run both as the package's `postgres` user. The server is
  // spawned directly (not through runuser) so that our signal reaches it.
  const user = process.getuid?.() === 0 ? postgresUser() : {};
  if (user.uid !== undefined) execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, root]);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    execFileSync(
      path.join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
      {
        stdio: 'ignore',
        ...user,
      },
    );
  }
  const tlsArgs = opts.tls ? useTls(dataDir, opts.tls, user) : [];
  const port = await freePort();
  const child = spawn(
    path.join(bin, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-k',
      root,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'max_connections=200',
      ...tlsArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], ...user },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const unguard = guardAgainstOrphans(child, temp ? root : null);
  await waitForPort(port, 15000, () => child.exitCode !== null && `postgres exited: ${stderr}`);
  return {
    port,
    databaseUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      unguard();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT'); // fast shutdown
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (temp) rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * If this process exits or is killed by SIGINT/SIGTERM/SIGHUP before `stop()` (a test run
 * cut short), take the server and its temp dir with it, so no orphan keeps running.
 */
function guardAgainstOrphans(child, tempRoot) {
  const cleanup = () => {
    if (child.exitCode === null) child.kill('SIGINT');
    if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
  };
  const onSignal = (sig) => {
    cleanup();
    release();
    process.kill(process.pid, sig); // re-raise with the default action now that we are out of the way
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const release = () => {
    process.off('exit', cleanup);
    for (const sig of signals) process.off(sig, onSignal);
  };
  process.on('exit', cleanup);
  for (const sig of signals) process.on(sig, onSignal);
  return release;
}

/** Writes the certificate and key (owned by the server's user, key 0600) and a TLS-only pg_hba.conf; returns the server flags. */
function useTls(dataDir, tls, user) {
  const cert = path.join(dataDir, 'server.crt');
  const key = path.join(dataDir, 'server.key');
  writeFileSync(cert, tls.cert);
  writeFileSync(key, tls.key, { mode: 0o600 });
  writeFileSync(
    path.join(dataDir, 'pg_hba.conf'),
    'local all all trust\nhostssl all all 127.0.0.1/32 trust\n',
  );
  chmodSync(key, 0o600);
  if (user.uid !== undefined)
    execFileSync('chown', [
      `${user.uid}:${user.gid}`,
      cert,
      key,
      path.join(dataDir, 'pg_hba.conf'),
    ]);
  return ['-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`];
}

function postgresUser() {
  const line = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).trim();
  const [, , uid, gid] = line.split(':');
  if (!uid || !gid)
    throw new Error('running as root needs the `postgres` user (apt-get install postgresql)');
  return { uid: Number(uid), gid: Number(gid) };
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
    if (Date.now() > until)
      throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
