/**
 * `npm run metrics` and scripts/lib/analytics.mjs against a fake Analytics Engine SQL API on
 * 127.0.0.1 (never the network): the request it sends, the table it prints, the failures it
 * reports.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNamedQuery } from '../../scripts/lib/analytics.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

interface Seen {
  method: string;
  url: string;
  auth: string;
  body: string;
}
const seen: Seen[] = [];
let answer: { status: number; body: string } = { status: 200, body: '' };
let server: http.Server;
let base = '';

const RESULT = {
  meta: [
    { name: 'version_id', type: 'String' },
    { name: 'requests', type: 'UInt64' },
    { name: 'error_ratio', type: 'Float64' },
  ],
  data: [
    { version_id: 'v-stable', requests: 9000, error_ratio: 0.001234567 },
    { version_id: 'v-canary', requests: 1000, error_ratio: 0.02 },
  ],
  rows: 2,
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        auth: req.headers.authorization ?? '',
        body,
      });
      res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const env = (over: Record<string, string> = {}) => ({
  ...process.env,
  CLOUDFLARE_API_BASE_URL: base,
  CLOUDFLARE_ACCOUNT_ID: 'acc123',
  CLOUDFLARE_API_TOKEN: 'fake-analytics-token',
  ...over,
});
const metrics = (args: string[], over: Record<string, string> = {}) =>
  run(process.execPath, [path.join(ROOT, 'scripts', 'metrics.mjs'), ...args], {
    cwd: ROOT,
    env: env(over),
    timeout: 30_000,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );

describe('npm run metrics', () => {
  it('posts the filled-in query to the SQL API with the token and prints a table', async () => {
    seen.length = 0;
    answer = { status: 200, body: JSON.stringify(RESULT) };
    const out = await metrics(['version-health', '--since', '30m', '--env', 'staging']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/client/v4/accounts/acc123/analytics_engine/sql',
      auth: 'Bearer fake-analytics-token',
    });
    expect(seen[0]?.body).toContain('FROM finance_edge_requests_staging');
    expect(seen[0]?.body).toContain("timestamp > NOW() - INTERVAL '30' MINUTE");
    expect(seen[0]?.body.trimEnd().endsWith('FORMAT JSON')).toBe(true);
    expect(out.stdout.split('\n')).toEqual([
      'version_id  requests  error_ratio',
      '----------  --------  -----------',
      'v-stable    9000      0.0012',
      'v-canary    1000      0.02',
      '(2 rows)',
      '',
    ]);
  });

  it('reports an API error and exits 1, echoing no token', async () => {
    answer = { status: 400, body: '{"errors":[{"message":"unknown column blob99"}]}' };
    const out = await metrics(['rate-limited']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('Analytics Engine SQL API answered 400');
    expect(out.stderr).toContain('unknown column blob99');
    expect(out.stderr).not.toContain('fake-analytics-token');
  });

  it('needs the account and token, a known query and a sane window before sending anything', async () => {
    seen.length = 0;
    expect((await metrics(['rate-limited'], { CLOUDFLARE_API_TOKEN: '' })).stderr).toMatch(
      /CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN are required/,
    );
    expect((await metrics(['no-such-query'])).stderr).toMatch(/unknown query "no-such-query"/);
    expect((await metrics(['rate-limited', '--since', 'forever'])).code).toBe(1);
    expect((await metrics([])).code).toBe(2);
    expect(seen).toHaveLength(0);
  });

  it('--sql prints the query and sends nothing', async () => {
    seen.length = 0;
    const out = await metrics(['projection-lag', '--sql', '--since', '2h']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('FROM finance_edge_ledger_production');
    expect(out.stdout).toContain("INTERVAL '2' HOUR");
    expect(seen).toHaveLength(0);
  });
});

describe("runNamedQuery (the rollout controller's entry point)", () => {
  it('resolves to the rows of a named query', async () => {
    answer = { status: 200, body: JSON.stringify(RESULT) };
    const result = await runNamedQuery(
      'version-health',
      { since: '10m' },
      { accountId: 'acc123', apiToken: 't', apiBase: base },
    );
    expect(result.data.map((r) => r.version_id)).toEqual(['v-stable', 'v-canary']);
    expect(seen.at(-1)?.body).toContain('FROM finance_edge_requests_production');
  });

  it('refuses an answer without meta/data', async () => {
    answer = { status: 200, body: '{"ok":true}' };
    await expect(
      runNamedQuery('version-health', {}, { accountId: 'a', apiToken: 't', apiBase: base }),
    ).rejects.toThrow(/lacks meta\/data/);
  });
});
