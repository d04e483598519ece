/**
 * The local k6 runner (scripts/load): its threshold arithmetic, a script whose thresholds
 * hold and one whose threshold cannot hold (the runner must fail, exit 99 as k6 does), and
 * the real smoke script against the local stack (`npm run load -- smoke`, shortened).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricStore, parseSelector, parseThreshold } from '../../scripts/load/metrics.mjs';
import { ROOT, runLoad } from './run-load';

const FIXTURE = path.join(ROOT, 'test', 'load', 'fixtures', 'thresholds.ts');

describe('thresholds', () => {
  const store = new MetricStore();
  for (let i = 1; i <= 100; i++)
    store.add('http_req_duration', 'trend', i, { kind: i <= 50 ? 'read' : 'command' }, 'time');
  store.add('http_req_failed', 'rate', 0, {});
  store.add('http_req_failed', 'rate', 1, {});
  store.add('http_reqs', 'counter', 3, {});

  it('parses expressions and tag selectors as k6 writes them', () => {
    expect(parseThreshold('p(99.9) <= 500')).toEqual({ agg: 'p(99.9)', op: '<=', limit: 500 });
    expect(parseSelector('http_req_duration{kind:read,name:list invoices}')).toEqual({
      metric: 'http_req_duration',
      tags: { kind: 'read', name: 'list invoices' },
    });
    expect(() => parseThreshold('p95 < 300')).toThrow(/invalid threshold/);
  });

  it('judges percentiles, averages, rates and counts on sub-metrics', () => {
    const verdicts = store.evaluate(
      {
        // p(95) of 1..50 interpolates between the closest ranks: 47.55.
        'http_req_duration{kind:read}': ['p(95)<47.5', 'p(95)<47.6', 'avg==25.5', 'max<=50'],
        'http_req_duration{kind:command}': ['min>50'],
        http_req_failed: ['rate<0.5', 'rate<=0.5'],
        http_reqs: ['count==3'],
        never_emitted: ['rate>0'],
      },
      10,
    );
    expect(verdicts.map((v) => `${v.key} ${v.expr} ${v.ok}`)).toEqual([
      'http_req_duration{kind:read} p(95)<47.5 false',
      'http_req_duration{kind:read} p(95)<47.6 true',
      'http_req_duration{kind:read} avg==25.5 true',
      'http_req_duration{kind:read} max<=50 true',
      'http_req_duration{kind:command} min>50 true',
      'http_req_failed rate<0.5 false',
      'http_req_failed rate<=0.5 true',
      'http_reqs count==3 true',
      'never_emitted rate>0 false',
    ]);
  });
});

describe('the runner on a script', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-cache': 'HIT' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** The fixture against `url` under `thresholds`, plus extra runner arguments. */
  const run = (thresholds: object, url = base, ...extra: string[]) =>
    runLoad([
      '--script',
      FIXTURE,
      '--base-url',
      url,
      '--token',
      'unused',
      '-e',
      `THRESHOLDS=${JSON.stringify(thresholds)}`,
      ...extra,
    ]);

  it('passes when every threshold holds', async () => {
    const r = await run({
      'http_req_duration{kind:read}': ['p(95)<5000'],
      http_req_failed: ['rate==0'],
      http_reqs: ['count==6'],
      checks: ['rate==1'],
      cache_hit: ['rate>0.7'],
    });
    expect(r.out).toContain('thresholds: 5 of 5 held');
    expect(r.code).toBe(0);
  });

  it('fails (exit 99) when a threshold is broken on purpose', async () => {
    const r = await run({ 'http_req_duration{kind:read}': ['p(95)<0'], checks: ['rate==1'] });
    expect(r.out).toMatch(
      /thresholds: 1 of 2 held; FAILED: http_req_duration\{kind:read\} p\(95\)<0/,
    );
    expect(r.code).toBe(99);
  });

  it('refuses to send requests anywhere but loopback', async () => {
    const origin = await run({}, 'http://192.0.2.1');
    expect(origin.out).toContain('--base-url must be a loopback origin');
    expect(origin.code).toBe(1);
    // A script that builds its own URL is stopped by the runner itself.
    const inScript = await run({}, base, '-e', 'PROBE_BASE=http://192.0.2.1');
    expect(inScript.out).toContain('only sends requests to loopback');
    expect(inScript.code).toBe(1);
  });
});

describe('npm run load -- smoke', () => {
  // The rest of npm test runs beside it on the same cores, so latency is reported, not gated
  // here (LATENCY_GATES=off); `npm run load -- smoke` alone gates it too.
  it('runs smoke.ts against the local stack: no failed request, every check and gate holds', async () => {
    const r = await runLoad(['smoke', '--iterations', '4', '-e', 'LATENCY_GATES=off']);
    expect(r.out).toMatch(/local stack ready at http:\/\/127\.0\.0\.1:\d+/);
    expect(r.out).toMatch(/checks \(rate\): rate=1 /);
    expect(r.out).toMatch(/http_req_failed \(rate\): rate=0 /);
    expect(r.out).toMatch(/http_req_duration \(trend\): avg=[\d.]+ .* p\(95\)=[\d.]+/);
    expect(r.out).toMatch(/thresholds: (\d+) of \1 held; 0 interrupted/);
    expect(r.code).toBe(0);
  }, 180_000);
});
