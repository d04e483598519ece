// Checks before anything is uploaded. Each returns a list of problems (empty = fine); the
// controller refuses with all of them. A version that changes Durable Object classes or
// [[migrations]] cannot be split (the platform refuses with error 10211), so it is refused
// here with the plain-deploy path instead of failing halfway.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../lib/dev-keys.mjs';

const git = (args, cwd = ROOT) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The commit being released (the version's tag). */
export const headSha = (cwd = ROOT) => git(['rev-parse', 'HEAD'], cwd).trim();

/** Uncommitted or untracked files: the uploaded bundle would not be the tagged commit. */
export function workTreeProblems(cwd = ROOT) {
  const dirty = git(['status', '--porcelain', '--untracked-files=normal'], cwd)
    .split('\n')
    .filter(Boolean);
  if (dirty.length === 0) return [];
  return [
    `work tree: ${dirty.length} uncommitted or untracked path(s) (${dirty
      .slice(0, 3)
      .map((l) => l.slice(3))
      .join(
        ', ',
      )}${dirty.length > 3 ? ', ...' : ''}); commit or stash them, the version is tagged with HEAD`,
  ];
}

/** What cannot change in a split: the Durable Object classes bound and the [[migrations]] list. */
export function durableObjectShape(config) {
  return {
    classes: [
      ...new Set(
        (config.durable_objects?.bindings ?? []).map(
          (b) => `${b.class_name}${b.script_name ? `@${b.script_name}` : ''}`,
        ),
      ),
    ].sort(),
    migrations: JSON.stringify(config.migrations ?? []),
  };
}

/** Differences between the deployed and the new Durable Object shape, as sentences. */
export function durableObjectProblems(deployed, next, env) {
  const a = durableObjectShape(deployed);
  const b = durableObjectShape(next);
  const diffs = [];
  if (a.classes.join() !== b.classes.join())
    diffs.push(
      `Durable Object classes ${a.classes.join(', ') || '(none)'} → ${b.classes.join(', ') || '(none)'}`,
    );
  if (a.migrations !== b.migrations) {
    const tags = (m) =>
      JSON.parse(m)
        .map((x) => x.tag)
        .join(', ') || '(none)';
    diffs.push(
      `[[migrations]] ${tags(a.migrations)} → ${tags(b.migrations)}${tags(a.migrations) === tags(b.migrations) ? ' (same tags, changed contents)' : ''}`,
    );
  }
  if (diffs.length === 0) return [];
  return [
    `durable objects: ${diffs.join('; ')}. A version that changes Durable Object classes or migrations cannot be split (wrangler error 10211): release it with a plain \`npx wrangler deploy --env ${env}\` after the read-model migrations (docs/runbook.md, "A Durable Object change")`,
  ];
}

/** wrangler.toml as wrangler resolves it for `env`, from a file path. */
export async function readConfigFile(file, env) {
  const { unstable_readConfig } = await import('wrangler');
  return unstable_readConfig({ config: file, env }, { hideWarnings: true });
}

/** wrangler.toml at a commit, resolved for `env`; null when `ref` is not a commit here. */
export async function configAtCommit(ref, env, cwd = ROOT) {
  if (!/^[0-9a-f]{7,40}$/i.test(ref)) return null;
  let text;
  try {
    git(['cat-file', '-e', `${ref}^{commit}`], cwd);
    text = git(['show', `${ref}:wrangler.toml`], cwd);
  } catch {
    return null;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'release-config-'));
  try {
    writeFileSync(path.join(dir, 'wrangler.toml'), text);
    return await readConfigFile(path.join(dir, 'wrangler.toml'), env);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The production configuration rules (src/config-rules.ts, the ones the Worker enforces at
 * startup) over the environment's vars and the names of its secrets (`wrangler secret list`:
 * their values are never visible, a listed secret counts as set), plus any SET-ME placeholder.
 */
export async function configProblems(config, env, secretNames) {
  const { productionProblems } = await import('../../src/config-rules.ts');
  const vars = { ...(config.vars ?? {}) };
  const problems = [];
  const placeholders = [
    ...Object.entries(vars),
    ...(config.kv_namespaces ?? []).map((k) => [`kv ${k.binding}`, k.id]),
  ].filter(([, v]) => typeof v === 'string' && v.includes('SET-ME'));
  for (const [name] of placeholders)
    problems.push(`config (${env}): ${name} still holds a SET-ME placeholder (docs/deploy.md)`);
  const secrets = Object.fromEntries(secretNames.map((n) => [n, '(secret)']));
  for (const p of productionProblems({ ...vars, ...secrets }))
    problems.push(`config (${env}): ${p}`);
  return problems;
}

/** The newest read-model migration this tree needs (drizzle-kit's journal). */
export function requiredMigration() {
  const journal = JSON.parse(
    readFileSync(path.join(ROOT, 'migrations', 'meta', '_journal.json'), 'utf8'),
  );
  const entries = journal.entries ?? [];
  return {
    entries: entries.map((e) => ({ tag: e.tag, when: Number(e.when) })),
    last: entries.at(-1),
  };
}

/**
 * Read-model migrations applied: drizzle records each applied migration's folder time in
 * drizzle.__drizzle_migrations.created_at and applies only newer ones, so every journal entry
 * newer than the newest recorded one is still missing.
 * @param {(sql: string) => Promise<{ created_at: string|number }[]>} query
 */
export async function readModelProblems(query) {
  const { entries } = requiredMigration();
  let newest = 0;
  try {
    const rows = await query(
      'select max(created_at) as created_at from drizzle.__drizzle_migrations',
    );
    newest = Number(rows[0]?.created_at ?? 0);
  } catch (err) {
    return [
      `read model: cannot read drizzle.__drizzle_migrations (${err.message.split('\n')[0]}); run \`npm run migrate\` against this database first`,
    ];
  }
  const missing = entries.filter((e) => e.when > newest).map((e) => e.tag);
  if (missing.length === 0) return [];
  return [
    `read model: ${missing.length} migration(s) not applied (${missing.join(', ')}); run \`npm run migrate\` against the production database before this release (docs/runbook.md, "Read-model migrations")`,
  ];
}
