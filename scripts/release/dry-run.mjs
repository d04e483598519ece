// `npm run release -- --env production --dry-run`: the plan as it would run, with the exact
// wrangler commands, the gates and what the preflight checks; nothing is uploaded, deployed or
// queried (the versions are placeholders until the real run asks wrangler).
import { loadQuery } from '../lib/analytics.mjs';
import { deployArgs, deploySingleArgs, statusArgs, uploadArgs } from './wrangler.mjs';
import { SMOKE_CHECKS } from './smoke.mjs';

const cmd = (args) =>
  `npx wrangler ${args.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`;

/** The lines of the dry run (the caller prints them). */
export function describePlan({ env, plan, planFile, workerName, sha, smokeUrl }) {
  const S = '<stable>';
  const C = '<canary>';
  const g = plan.gates;
  const lines = [
    `release plan for ${env} (${workerName}), from ${planFile}`,
    `  0. preflight: clean work tree, ${env} config rules and required secrets (wrangler secret list), Durable Object classes and [[migrations]] unchanged since the deployed version (else: plain wrangler deploy, error 10211), read-model migrations applied`,
    `     current deployment: ${cmd(statusArgs({ env }))}   (must be one version at 100 %: <stable>)`,
    `  1. upload: ${cmd(uploadArgs({ env, tag: sha, message: `release ${sha}` }))}   (version id from WRANGLER_OUTPUT_FILE_PATH)`,
    `  2. smoke at 0 %: ${cmd(deployArgs({ env, stable: S, canary: C, canaryPercent: 0, message: `release ${sha}: 0 %` }))}`,
    `     then GET ${SMOKE_CHECKS.map((c) => c.path).join(', ')} on ${smokeUrl ?? '<--smoke-url>'} with Cloudflare-Workers-Version-Overrides: ${workerName}="<canary>"`,
  ];
  plan.steps.forEach((s, i) => {
    lines.push(
      `  ${i + 3}. ${String(s.percent).padStart(3)} %: ${cmd(deployArgs({ env, stable: S, canary: C, canaryPercent: s.percent, message: `release ${sha}: ${s.percent} %` }))}`,
    );
    lines.push(
      `     bake ${s.bakeSeconds} s, ≥ ${s.minSamples} canary requests in the window, poll every ${plan.pollSeconds} s, give up holding after ${plan.maxHoldSeconds} s more`,
    );
  });
  lines.push(
    `  ${plan.steps.length + 3}. promote: ${cmd(deploySingleArgs({ env, version: C, message: `release ${sha}: promoted` }))}`,
    `  gates over the last ${plan.window} (ops/queries/rollout-gate.sql), canary against stable: error rate > ${(g.maxErrorRatio * 100).toFixed(2)} % or p95 > ${g.maxP95Ms} ms fails;`,
    `    relative (when stable has the samples too): error rate > stable + ${(g.relative.errorRatioMargin * 100).toFixed(2)} points, or p95 > stable × ${g.relative.p95Ratio} + ${g.relative.p95SlackMs} ms fails; too few samples holds`,
    `  on a failed gate: ${cmd(deploySingleArgs({ env, version: S, message: 'rollback of <tag>: <gate>' }))}   (exit 1)`,
    `  gate query: ${loadQuery('rollout-gate', { env, since: plan.window }).replace(/\s+/g, ' ')}`,
  );
  return lines;
}
