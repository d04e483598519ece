// The start of a new release (controller.mjs): refuse while the current deployment is a split
// or the preflight finds problems; otherwise upload the canary version and record the new
// release state, ready for the smoke at 0 %.
import { decision } from './report.mjs';
import { newState } from './state.mjs';
import { parseDeploymentStatus, statusArgs, uploadArgs, uploadedVersion } from './wrangler.mjs';

/**
 * Starts a release: the refusal's result, or null once the canary is uploaded and `c.state`
 * holds the new release (saved and recorded).
 * @param {import('./controller.mjs').Deps} d
 * @param {{ state: any, save: () => void, record: (event: string, line: string, fields?: object) => void }} c
 */
export async function startRelease(d, c) {
  const deployed = parseDeploymentStatus((await d.wrangler.ok(statusArgs({ env: d.env }))).stdout);
  if (deployed.length !== 1 || deployed[0]?.percentage !== 100) {
    decision(
      d.out,
      d.clock.now(),
      'refused',
      `REFUSED: the current deployment is a split (${deployed.map((v) => `${v.id}@${v.percentage}%`).join(' ')}); finish or abort that release first`,
      { env: d.env, gate: 'preflight' },
    );
    return { outcome: 'refused', failedGate: 'preflight', exitCode: 2, state: null };
  }
  const stable = deployed[0].id;
  const problems = await d.preflight({ stable });
  if (problems.length > 0) {
    for (const p of problems) d.out(`  - ${p}`);
    decision(
      d.out,
      d.clock.now(),
      'refused',
      `REFUSED by preflight (${problems.length} problem(s) above)`,
      { env: d.env, gate: 'preflight', problems },
    );
    return { outcome: 'refused', failedGate: 'preflight', exitCode: 2, state: null, problems };
  }
  const upload = uploadedVersion(
    (await d.wrangler.ok(uploadArgs({ env: d.env, tag: d.sha, message: `release ${d.sha}` })))
      .entries,
  );
  c.state = newState({
    env: d.env,
    plan: d.plan,
    stable: { id: stable },
    canary: { id: upload.id, tag: d.sha },
    now: d.clock.now(),
  });
  c.save();
  c.record('uploaded', `uploaded ${upload.id} (tag ${d.sha}); stable is ${stable}`, { stable });
  return null;
}
