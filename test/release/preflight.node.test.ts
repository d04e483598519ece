/** The preflight: Durable Object shape (error 10211), production config, read-model migrations, a dirty work tree. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { durableObjectCheck, productionPreflight } from '../../scripts/release/checks.mjs';
import { parseSecretList } from '../../scripts/release/wrangler.mjs';
import {
  configAtCommit,
  configProblems,
  durableObjectProblems,
  headSha,
  readConfigFile,
  readModelProblems,
  requiredMigration,
  workTreeProblems,
} from '../../scripts/release/preflight.mjs';
import { STABLE, fakeWrangler } from './helpers';

const ROOT = path.resolve(import.meta.dirname, '../..');
const production = () => readConfigFile(path.join(ROOT, 'wrangler.toml'), 'production');

/** The parts of a wrangler config the Durable Object check reads. */
interface DoShape {
  migrations: Array<{ tag: string; new_sqlite_classes?: string[] }>;
  durable_objects: { bindings: Array<{ name: string; class_name: string }> };
}

describe('Durable Object shape', () => {
  it('passes an unchanged shape', async () => {
    const config = await production();
    expect(durableObjectProblems(config, structuredClone(config), 'production')).toEqual([]);
  });

  it.each([
    [
      'a new migration with a new class',
      (c: DoShape) => {
        c.migrations.push({ tag: 'v3', new_sqlite_classes: ['Notifier'] });
        c.durable_objects.bindings.push({ name: 'NOTIFIER', class_name: 'Notifier' });
      },
      /classes RateLimiter, TenantLedger → Notifier, RateLimiter, TenantLedger; \[\[migrations\]\] v1, v2 → v1, v2, v3/,
    ],
    [
      'a renamed class in an existing migration',
      (c: DoShape) => {
        c.migrations[1]!.new_sqlite_classes = ['Limiter'];
      },
      /same tags, changed contents/,
    ],
    [
      'a removed binding',
      (c: DoShape) => {
        c.durable_objects.bindings.pop();
      },
      /classes RateLimiter, TenantLedger → TenantLedger/,
    ],
  ])('refuses %s and points to the plain deploy', async (_name, change, detail) => {
    const deployed = await production();
    const next = structuredClone(deployed);
    change(next);
    const [problem, ...rest] = durableObjectProblems(deployed, next, 'production');
    expect(rest).toEqual([]);
    expect(problem).toMatch(detail);
    expect(problem).toContain('cannot be split (wrangler error 10211)');
    expect(problem).toContain('npx wrangler deploy --env production');
  });

  it('reads the deployed config from the commit in the version tag, and refuses a tag that is not one', async () => {
    expect(await configAtCommit(headSha(), 'production')).toMatchObject({
      name: 'finance-edge-production',
    });
    expect(
      await configAtCommit('0000000000000000000000000000000000000000', 'production'),
    ).toBeNull();
    expect(await configAtCommit('v1.2.3', 'production')).toBeNull();
    const fake = fakeWrangler({ FAKE_WRANGLER_TAG: 'release-42' });
    try {
      const [problem] = await durableObjectCheck({
        wrangler: fake.wrangler,
        env: 'production',
        stable: STABLE,
        config: await production(),
      });
      expect(problem).toMatch(/has tag release-42, not a commit of this repository/);
      expect(fake.calls()).toEqual([['versions', 'view', STABLE, '--env', 'production', '--json']]);
    } finally {
      fake.remove();
    }
  });
});

describe('production config', () => {
  const SECRETS = ['CURSOR_SECRET', 'DATABASE_URL'];
  const filledIn = async () => {
    const config = await production();
    config.kv_namespaces = config.kv_namespaces.map((k: { binding: string }) => ({
      ...k,
      id: '0123456789abcdef0123456789abcdef',
    }));
    Object.assign(config.vars, {
      AUTH_ISSUER: 'https://auth.finance-edge.com',
      AUTH_JWKS_URL: 'https://auth.finance-edge.com/.well-known/jwks.json',
    });
    return config;
  };
  it("refuses SET-ME placeholders and the Worker's own production rules", async () => {
    const problems = await configProblems(await production(), 'production', SECRETS);
    expect(problems).toContain(
      'config (production): kv CACHE_KV still holds a SET-ME placeholder (docs/deploy.md)',
    );
    expect(problems).toContain(
      'config (production): AUTH_JWKS_URL: must be an https URL on a public host in production',
    );
  });
  it('passes a filled-in production config with its secrets set', async () => {
    expect(await configProblems(await filledIn(), 'production', SECRETS)).toEqual([]);
  });
  it('refuses missing secrets and a development key left as a secret', async () => {
    const problems = await configProblems(await filledIn(), 'production', [
      'DATABASE_URL',
      'AUTH_PUBLIC_JWK',
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^config \(production\): CURSOR_SECRET: required/),
        expect.stringMatching(/^config \(production\): AUTH_PUBLIC_JWK/),
      ]),
    );
    expect(problems).toHaveLength(2);
  });
  it('reads secret names from wrangler secret list, with or without a banner', () => {
    expect(parseSecretList('[\n  { "name": "CURSOR_SECRET", "type": "secret_text" }\n]')).toEqual([
      'CURSOR_SECRET',
    ]);
    expect(
      parseSecretList(' ⛅️ wrangler 4.164.0\n───────\n[{ "name": "A", "type": "secret_text" }]'),
    ).toEqual(['A']);
    expect(() => parseSecretList('Secret Name: A')).toThrow(/other than JSON/);
  });
  it('runs every production check through wrangler and names each problem', async () => {
    const fake = fakeWrangler({
      FAKE_WRANGLER_TAG: headSha(),
      FAKE_WRANGLER_SECRETS: 'DATABASE_URL',
    });
    try {
      const problems = await productionPreflight({
        wrangler: fake.wrangler,
        env: 'production',
        stable: STABLE,
        databaseUrl: undefined,
      });
      expect(problems).toEqual(
        expect.arrayContaining([
          'config (production): CURSOR_SECRET: required in production (32+ characters; wrangler secret put CURSOR_SECRET)',
          'config (production): kv CACHE_KV still holds a SET-ME placeholder (docs/deploy.md)',
          'read model: DATABASE_URL is not set (the direct connection string), so the applied migrations cannot be checked',
        ]),
      );
      // The deployed version is HEAD: same Durable Object shape, nothing to say about it.
      expect(problems.some((p) => p.startsWith('durable objects'))).toBe(false);
      expect(fake.calls()).toEqual([
        ['secret', 'list', '--env', 'production', '--format', 'json'],
        ['versions', 'view', STABLE, '--env', 'production', '--json'],
      ]);
    } finally {
      fake.remove();
    }
  });
});

describe('read-model migrations', () => {
  const { entries } = requiredMigration();
  it('passes when the newest journal entry is recorded', async () => {
    expect(
      await readModelProblems(async () => [{ created_at: String(entries.at(-1)!.when) }]),
    ).toEqual([]);
  });
  it('names the migrations not applied yet', async () => {
    const [problem] = await readModelProblems(async () => [{ created_at: entries.at(-3)!.when }]);
    expect(problem).toContain(
      `2 migration(s) not applied (${entries.at(-2)!.tag}, ${entries.at(-1)!.tag})`,
    );
    expect(problem).toContain('npm run migrate');
  });
  it('refuses a database where nothing was ever migrated', async () => {
    const [problem] = await readModelProblems(async () => {
      throw new Error('relation "drizzle.__drizzle_migrations" does not exist');
    });
    expect(problem).toMatch(/cannot read drizzle.__drizzle_migrations/);
  });
});

describe('work tree', () => {
  let repo: string;
  afterEach(() => rmSync(repo, { recursive: true, force: true }));
  it('passes a clean tree and refuses uncommitted or untracked files', () => {
    repo = mkdtempSync(path.join(tmpdir(), 'release-git-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '-q');
    writeFileSync(path.join(repo, 'a.txt'), 'a');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'a');
    expect(workTreeProblems(repo)).toEqual([]);
    writeFileSync(path.join(repo, 'a.txt'), 'b');
    writeFileSync(path.join(repo, 'new.txt'), 'n');
    expect(workTreeProblems(repo)).toEqual([
      expect.stringMatching(/^work tree: 2 uncommitted or untracked path\(s\) \(a.txt, new.txt\)/),
    ]);
  });
});
