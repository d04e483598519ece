#!/usr/bin/env node
// npm run release -- --env production [--plan ops/rollout-plan.json] [--dry-run] [--abort]
//   [--state .release/production.json] [--smoke-url https://api.example.com]
// Gradual rollout with health gates and automatic rollback (docs/runbook.md, "Releasing").
// Needs: wrangler logged in (CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID), the Analytics
// Engine SQL API (same token with Account Analytics: Read), DATABASE_URL (direct string, for
// the read-model check), RELEASE_SMOKE_TOKEN (a viewer token for the smoke's read).
// Exit: 0 promoted (or dry run), 1 rolled back, 2 refused or bad usage.
import path from 'node:path';
import { runNamedQuery } from './lib/analytics.mjs';
import { flags } from './lib/args.mjs';
import { ROOT } from './lib/dev-keys.mjs';
import { productionPreflight } from './release/checks.mjs';
import { abortRelease, release } from './release/controller.mjs';
import { describePlan } from './release/dry-run.mjs';
import { DEFAULT_PLAN_PATH, loadPlan } from './release/plan.mjs';
import { headSha, readConfigFile } from './release/preflight.mjs';
import { lockState, stateFileFor } from './release/state.mjs';
import { createWrangler } from './release/wrangler.mjs';

const args = flags({
  env: { type: 'string' },
  plan: { type: 'string', default: DEFAULT_PLAN_PATH },
  state: { type: 'string' },
  'smoke-url': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  abort: { type: 'boolean', default: false },
});
if (!args.env) {
  console.error(
    'usage: npm run release -- --env <staging|production> [--plan ops/rollout-plan.json] [--dry-run] [--abort] [--state file] [--smoke-url url]',
  );
  process.exit(2);
}

try {
  const env = args.env;
  const plan = loadPlan(path.resolve(args.plan));
  const config = await readConfigFile(path.join(ROOT, 'wrangler.toml'), env);
  const sha = headSha();
  const smokeUrl = args['smoke-url'] ?? process.env.RELEASE_SMOKE_URL;
  if (args['dry-run']) {
    for (const line of describePlan({
      env,
      plan,
      planFile: path.relative(ROOT, path.resolve(args.plan)),
      workerName: config.name,
      sha,
      smokeUrl,
    }))
      console.log(line);
    process.exit(0);
  }
  const wrangler = createWrangler({ cwd: ROOT });
  const deps = {
    env,
    plan,
    stateFile: path.resolve(args.state ?? stateFileFor(env)),
    workerName: config.name,
    sha,
    wrangler,
    queryGate: async (window) => (await runNamedQuery('rollout-gate', { env, since: window })).data,
    preflight: ({ stable }) =>
      productionPreflight({ wrangler, env, stable, databaseUrl: process.env.DATABASE_URL }),
    smoke: { baseUrl: smokeUrl ?? '', token: process.env.RELEASE_SMOKE_TOKEN ?? '' },
    clock: { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    out: (line) => console.log(line),
  };
  if (!args.abort && (!smokeUrl || !process.env.RELEASE_SMOKE_TOKEN))
    throw new Error(
      'the smoke at 0 % needs --smoke-url (or RELEASE_SMOKE_URL) and RELEASE_SMOKE_TOKEN',
    );
  // --abort must work while a controller is stuck, so it does not wait for the lock.
  const unlock = args.abort ? () => {} : lockState(deps.stateFile);
  let result;
  try {
    result = await (args.abort ? abortRelease(deps) : release(deps));
  } finally {
    unlock();
  }
  process.exit(result.exitCode);
} catch (err) {
  console.error(`release: ${err.message ?? err}`);
  process.exit(2);
}
