/**
 * `npm run migrate` against a database that is not the local stack talks to it directly over
 * TLS, as its sslmode says (scripts/lib/pg-url.mjs). For real: a throwaway PostgreSQL 15
 * cluster with ssl=on, a certificate signed by a CA made here, and a pg_hba.conf that only
 * takes TLS. verify-full against that CA migrates; plain TCP is refused; another CA fails.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTempCluster } from '../../scripts/lib/pg-cluster.mjs';
import { pgClientConfig, redactedUrl } from '../../scripts/lib/pg-url.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A CA and a server certificate it signed for 127.0.0.1/localhost, made with openssl. */
function makeCertificates(dir: string, name: string, withServer: boolean) {
  const file = (f: string) => path.join(dir, `${name}-${f}`);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name} test CA`,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  if (!withServer) return { ca: file('ca.pem') };
  writeFileSync(
    file('ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  );
  ssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('ext.cnf'),
    '-out',
    file('server.crt'),
  );
  return {
    ca: file('ca.pem'),
    cert: readFileSync(file('server.crt'), 'utf8'),
    key: readFileSync(file('server.key'), 'utf8'),
  };
}

const migrate = (databaseUrl: string) =>
  run(process.execPath, [path.join(ROOT, 'scripts', 'migrate.mjs')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    timeout: 60_000,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );

describe.skipIf(!existsSync(path.join(PG_BIN, 'initdb')))(
  'npm run migrate over TLS (PostgreSQL 15, ssl=on)',
  () => {
    let dir = '';
    let cluster: Awaited<ReturnType<typeof startTempCluster>>;
    let ca = '';
    let otherCa = '';
    // A throwaway cluster with trust auth: the password is a placeholder that must never be echoed.
    const url = (query: string) =>
      // secretlint-disable-next-line
      `postgres://postgres:unused-pw@127.0.0.1:${cluster.port}/postgres?${query}`;

    beforeAll(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'finance-edge-tls-'));
      const certs = makeCertificates(dir, 'db', true);
      ca = certs.ca;
      otherCa = makeCertificates(dir, 'other', false).ca;
      cluster = await startTempCluster({ tls: { cert: certs.cert ?? '', key: certs.key ?? '' } });
    }, 60_000);

    afterAll(async () => {
      await cluster?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a plain TCP connection is refused by the server', async () => {
      const out = await migrate(url('sslmode=disable'));
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/no pg_hba\.conf entry .*no encryption/);
      expect(out.stderr).not.toContain('unused-pw');
    });

    it('verify-full against another CA is refused by the client', async () => {
      const out = await migrate(url(`sslmode=verify-full&sslrootcert=${otherCa}`));
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/certificate/i);
    });

    it("verify-full against the server's CA applies every migration over TLS, and again is a no-op", async () => {
      const first = await migrate(url(`sslmode=verify-full&sslrootcert=${ca}`));
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(
        /migrations applied to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres\?.*\(sslmode=verify-full, TLS\)/,
      );

      const journal = JSON.parse(
        readFileSync(path.join(ROOT, 'migrations', 'meta', '_journal.json'), 'utf8'),
      ) as { entries: unknown[] };
      expect(journal.entries.length).toBe(
        readdirSync(path.join(ROOT, 'migrations')).filter((f) => f.endsWith('.sql')).length,
      );
      const client = new pg.Client(
        pgClientConfig(url(`sslmode=verify-full&sslrootcert=${ca}`)).config,
      );
      await client.connect();
      try {
        const applied = await client.query<{ n: string }>(
          'select count(*) as n from drizzle.__drizzle_migrations',
        );
        expect(Number(applied.rows[0]?.n)).toBe(journal.entries.length);
        const tables = await client.query<{ n: string }>(
          "select count(*) as n from pg_tables where tablename in ('invoices', 'projection_checkpoints', 'account_month_totals')",
        );
        expect(Number(tables.rows[0]?.n)).toBe(3);
      } finally {
        await client.end();
      }

      const again = await migrate(url(`sslmode=verify-full&sslrootcert=${ca}`));
      expect(again.code).toBe(0);
    });
  },
  120_000,
);

describe('sslmode → TLS settings (libpq meanings)', () => {
  it('a remote host without sslmode is verify-full against the system CAs, with the host checked', () => {
    const { sslmode, config } = pgClientConfig(
      'postgresql://app:pw@ep-cool-1.eu-central-1.aws.neon.tech/books?channel_binding=require',
    );
    expect(sslmode).toBe('verify-full');
    expect(config.ssl).toEqual({
      rejectUnauthorized: true,
      servername: 'ep-cool-1.eu-central-1.aws.neon.tech',
    });
    expect(config).toMatchObject({
      host: 'ep-cool-1.eu-central-1.aws.neon.tech',
      port: 5432,
      user: 'app',
      password: 'pw',
      database: 'books',
      enableChannelBinding: true,
    });
  });

  it('a loopback host without sslmode is plain; require does not check the certificate; verify-ca skips the host', () => {
    expect(pgClientConfig('postgres://u@127.0.0.1:5433/db').config.ssl).toBe(false);
    expect(pgClientConfig('postgres://u@db.internal/db?sslmode=require').config.ssl).toEqual({
      rejectUnauthorized: false,
    });
    const ca = pgClientConfig('postgres://u@db.internal/db?sslmode=verify-ca').config.ssl as {
      rejectUnauthorized: boolean;
      checkServerIdentity: () => undefined;
    };
    expect(ca.rejectUnauthorized).toBe(true);
    expect(ca.checkServerIdentity()).toBeUndefined();
  });

  it('refuses modes that may fall back to plain text, and non-postgres URLs', () => {
    expect(() => pgClientConfig('postgres://u@db.internal/db?sslmode=prefer')).toThrow(
      /sslmode=prefer is not supported/,
    );
    expect(() => pgClientConfig('mysql://u@db/db')).toThrow(/postgres:\/\//);
    expect(redactedUrl('postgres://u:secret@db/db')).toBe('postgres://u:***@db/db');
  });
});
