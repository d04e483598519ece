/**
 * The deployed environments (wrangler.toml `[env.staging]`, `[env.production]`): both bundle
 * and validate with `wrangler deploy --dry-run` (offline), carry none of the local
 * development values, and meet the production rules of src/config-rules.ts once the
 * deployer has set the marked values and secrets (docs/deploy.md).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unstable_readConfig } from 'wrangler';
import { describe, expect, it } from 'vitest';
import { ConfigError, getConfig } from '../../src/env';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WRANGLER = path.join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const ENVS = ['staging', 'production'] as const;

/** The parts of wrangler's resolved config these tests read. */
interface DeployConfig {
  name: string;
  vars: Record<string, unknown>;
  kv_namespaces: { binding: string; id?: string }[];
  analytics_engine_datasets: { binding: string; dataset?: string }[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
  version_metadata?: { binding: string };
  observability?: {
    enabled?: boolean;
    traces?: { enabled?: boolean; head_sampling_rate?: number };
  };
}

/** wrangler.toml as wrangler resolves it for one environment (top level = local development). */
const read = (env?: string): DeployConfig =>
  unstable_readConfig(
    { config: path.join(ROOT, 'wrangler.toml'), ...(env ? { env } : {}) },
    { hideWarnings: true },
  ) as unknown as DeployConfig;

/** Secrets as a deployer sets them (`wrangler secret put`); fake values, never real ones. */
const SECRETS = {
  DATABASE_URL:
    'postgresql://app:pw@ep-example-pooler.eu-central-1.aws.neon.tech/books?sslmode=require',
  CURSOR_SECRET: 'c'.repeat(40),
};

describe.each(ENVS)('wrangler deploy --dry-run --env %s', (name) => {
  it('bundles and validates offline, naming every binding', () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), `finance-edge-dry-${name}-`));
    try {
      const run = spawnSync(
        process.execPath,
        [WRANGLER, 'deploy', '--dry-run', '--env', name, '--outdir', outdir],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: {
            ...process.env,
            WRANGLER_SEND_METRICS: 'false',
            CLOUDFLARE_API_TOKEN: '',
            CLOUDFLARE_ACCOUNT_ID: '',
            NO_COLOR: '1',
          },
          timeout: 90_000,
        },
      );
      const output = `${run.stdout}\n${run.stderr}`;
      expect(run.status, output).toBe(0);
      expect(output).toContain('--dry-run: exiting now.');
      for (const binding of [
        'TENANT_LEDGER',
        'RATE_LIMITER',
        'CACHE_KV',
        'REQUEST_METRICS',
        'LEDGER_METRICS',
        'CF_VERSION_METADATA',
      ])
        expect(output).toContain(`env.${binding}`);
      expect(output).toContain(`finance_edge_requests_${name}`);
      expect(output).not.toMatch(/\[WARNING\]|\[ERROR\]/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('carries none of the development values', () => {
    const dev = read();
    const cfg = read(name);
    expect(cfg.name).toBe(`finance-edge-${name}`);
    expect(cfg.vars.APP_ENV).toBe('production');
    for (const key of [
      'DB_WS_PROXY',
      'AUTH_PUBLIC_JWK',
      'DATABASE_URL',
      'CURSOR_SECRET',
      'AUTH_HS256_SECRET',
    ])
      expect(cfg.vars, key).not.toHaveProperty(key);
    expect(String(cfg.vars.AUTH_ISSUER)).not.toBe(dev.vars.AUTH_ISSUER);
    expect(String(cfg.vars.AUTH_ISSUER)).toMatch(/^https:\/\//);
    expect(String(cfg.vars.AUTH_JWKS_URL)).toMatch(/^https:\/\//);
    const devKv = new Set(dev.kv_namespaces.map((k) => k.id));
    expect(cfg.kv_namespaces.map((k) => k.binding)).toEqual(['CACHE_KV']);
    for (const kv of cfg.kv_namespaces) expect(devKv.has(kv.id)).toBe(false);
    const devDatasets = new Set(dev.analytics_engine_datasets.map((d) => d.dataset));
    expect(cfg.analytics_engine_datasets.map((d) => d.binding).sort()).toEqual([
      'LEDGER_METRICS',
      'REQUEST_METRICS',
    ]);
    for (const d of cfg.analytics_engine_datasets)
      expect(devDatasets.has(d.dataset), d.dataset).toBe(false);
    expect(cfg.durable_objects.bindings.map((b) => `${b.name}:${b.class_name}`).sort()).toEqual([
      'RATE_LIMITER:RateLimiter',
      'TENANT_LEDGER:TenantLedger',
    ]);
    expect(cfg.version_metadata?.binding).toBe('CF_VERSION_METADATA');
    // Logs on; traces on with a head sampling rate below 1 (cost), logs of every request.
    expect(cfg.observability).toMatchObject({
      enabled: true,
      logs: { enabled: true },
      traces: { enabled: true },
    });
    expect(cfg.observability?.traces?.head_sampling_rate).toBeGreaterThan(0);
    expect(cfg.observability?.traces?.head_sampling_rate).toBeLessThan(1);
  });

  it('refuses to start until the deployer sets the marked values, then starts', () => {
    const vars = read(name).vars as Record<string, string>;
    const asCommitted = { ...vars, ...SECRETS } as unknown as Env;
    expect(() => getConfig(asCommitted)).toThrow(ConfigError);
    expect(() => getConfig(asCommitted)).toThrow(
      /AUTH_JWKS_URL: must be an https URL on a public host.*AUTH_ISSUER/,
    );
    const issuer = 'https://login.finance-edge-customer.com/';
    const deployed = {
      ...vars,
      ...SECRETS,
      AUTH_ISSUER: issuer,
      AUTH_JWKS_URL: `${issuer}.well-known/jwks.json`,
    } as unknown as Env;
    expect(getConfig(deployed)).toMatchObject({
      APP_ENV: 'production',
      AUTH_ISSUER: issuer,
      OPS_AUDIENCE: 'finance-edge-ops',
    });
  });
});

describe('the values a deployer sets', () => {
  it('every SET-ME marker in wrangler.toml is explained in docs/deploy.md', () => {
    const toml = readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8');
    const deploy = readFileSync(path.join(ROOT, 'docs', 'deploy.md'), 'utf8');
    const markers = [...toml.matchAll(/^(\w+) = "([^"]*)"\s*# SET-ME/gm)].map((m) => m[1]);
    expect(markers.length).toBeGreaterThanOrEqual(6);
    for (const key of new Set(markers)) expect(deploy, key).toContain(key);
    expect(deploy).toContain('SET-ME');
  });
});
