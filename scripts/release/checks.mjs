// The preflight as the production controller runs it: the work tree, the environment's
// configuration, the Durable Object shape of the deployed version (its tag is the commit it
// was built from) against this tree's, and the read-model migrations on DATABASE_URL.
import pg from 'pg';
import path from 'node:path';
import { ROOT } from '../lib/dev-keys.mjs';
import { pgClientConfig } from '../lib/pg-url.mjs';
import {
  configAtCommit,
  configProblems,
  durableObjectProblems,
  readConfigFile,
  readModelProblems,
  workTreeProblems,
} from './preflight.mjs';
import { parseSecretList, secretListArgs, viewArgs } from './wrangler.mjs';

/** The deployed version's tag (`workers/tag`) from `wrangler versions view --json`. */
export async function deployedTag(wrangler, env, version) {
  const { stdout } = await wrangler.ok(viewArgs({ env, version }));
  const body = JSON.parse(stdout);
  return body?.annotations?.['workers/tag'] ?? null;
}

/**
 * Durable Object shape of the deployed version (by its tag) against this tree's wrangler.toml
 * (`config`). `configEnv` is the wrangler.toml environment to resolve (default `env`; null = top level).
 * @param {{ wrangler: { ok: (args: string[]) => Promise<{ stdout: string }> }, env: string, stable: string, config: any, configEnv?: string | null }} o
 */
export async function durableObjectCheck(o) {
  const { wrangler, env, stable, config, configEnv } = o;
  const tag = await deployedTag(wrangler, env, stable);
  const deployed = tag
    ? await configAtCommit(tag, configEnv === null ? undefined : (configEnv ?? env))
    : null;
  if (!deployed) {
    return [
      `durable objects: the deployed version ${stable} has tag ${tag ?? '(none)'}, not a commit of this repository, so its Durable Object classes and migrations cannot be compared; release with a plain \`npx wrangler deploy --env ${env}\` if they changed, or deploy a tagged version first`,
    ];
  }
  return durableObjectProblems(deployed, config, env);
}

/** A `query(sql)` over a direct connection to `databaseUrl` (TLS per its sslmode). */
export function directQuery(databaseUrl) {
  return async (sql) => {
    const client = new pg.Client(pgClientConfig(databaseUrl).config);
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
}

/** Every production preflight check; problems as sentences. */
export async function productionPreflight({ wrangler, env, stable, databaseUrl }) {
  const config = await readConfigFile(path.join(ROOT, 'wrangler.toml'), env);
  const secrets = parseSecretList((await wrangler.ok(secretListArgs({ env }))).stdout);
  const problems = [...workTreeProblems(), ...(await configProblems(config, env, secrets))];
  problems.push(...(await durableObjectCheck({ wrangler, env, stable, config })));
  if (!databaseUrl)
    problems.push(
      'read model: DATABASE_URL is not set (the direct connection string), so the applied migrations cannot be checked',
    );
  else problems.push(...(await readModelProblems(directQuery(databaseUrl))));
  return problems;
}
