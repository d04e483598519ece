// The rollout controller: refuse a split deployment or a failed preflight, else upload
// (start.mjs); deploy at 0 % and smoke through the version override, then walk the plan's
// steps, each an explicit split (stable first, canary second), gated by the canary's figures
// against stable's over the same window; a failed gate sends 100 % back to stable and the run
// exits non-zero. Its state file makes it resumable and lets `--abort` roll back at once.
// Everything outside (wrangler, the metrics, HTTP, the clock) is passed in.
import { decideStep, evaluateGates, figuresOf } from './gates.mjs';
import { decision, describeFigures } from './report.mjs';
import { FINAL, readState, writeState } from './state.mjs';
import { startRelease } from './start.mjs';
import { deployArgs, deploySingleArgs, rollbackArgs } from './wrangler.mjs';
import { smoke } from './smoke.mjs';

/**
 * @typedef {object} Deps
 * @property {string} env
 * @property {any} plan  a parsed ops/rollout-plan.json
 * @property {string} stateFile
 * @property {string} workerName  the environment's Worker name (the override header's key)
 * @property {string} sha  the commit released (the version's tag)
 * @property {{ ok: (args: string[]) => Promise<{ stdout: string, entries: any[] }> }} wrangler
 * @property {(window: string) => Promise<Record<string, unknown>[]>} queryGate  rows of ops/queries/rollout-gate.sql
 * @property {(ctx: { stable: string }) => Promise<string[]>} preflight  problems; empty = go
 * @property {{ baseUrl: string, token: string, fetch?: typeof fetch }} smoke
 * @property {{ now: () => number, sleep: (ms: number) => Promise<void> }} clock
 * @property {(line: string) => void} out
 */

/** @param {Deps} d */
function context(d) {
  let state = null;
  const save = () => writeState(d.stateFile, state);
  const record = (event, human, fields = {}) => {
    const r = decision(d.out, d.clock.now(), event, human, {
      env: d.env,
      canary: state?.canary?.id,
      ...fields,
    });
    if (state) {
      state.decisions.push(r);
      save();
    }
    return r;
  };
  return {
    get state() {
      return state;
    },
    set state(s) {
      state = s;
    },
    save,
    record,
  };
}

/** Sends all traffic to stable (`versions deploy <stable>@100%`, else `wrangler rollback <stable>`). */
async function rollBack(d, c, gate, human, fields = {}) {
  const { state } = c;
  const message = `rollback of ${state.canary.tag ?? state.canary.id}: ${gate}`;
  try {
    await d.wrangler.ok(deploySingleArgs({ env: d.env, version: state.stable.id, message }));
  } catch (err) {
    c.record(
      'rollback_retry',
      `versions deploy back to stable failed (${err.message}); trying wrangler rollback`,
    );
    await d.wrangler.ok(rollbackArgs({ env: d.env, version: state.stable.id, message }));
  }
  state.status = 'rolled_back';
  state.failedGate = gate;
  c.record('rolled_back', `ROLLED BACK: ${human}; 100 % on stable ${state.stable.id}`, {
    gate,
    ...fields,
  });
  return { outcome: 'rolled_back', failedGate: gate, exitCode: 1, state };
}

async function deploySplit(d, c, percent) {
  const { state } = c;
  await d.wrangler.ok(
    deployArgs({
      env: d.env,
      stable: state.stable.id,
      canary: state.canary.id,
      canaryPercent: percent,
      message: `release ${state.canary.tag}: ${percent} %`,
    }),
  );
}

/** Starts a rollout (preflight, upload) or resumes the one in the state file. @param {Deps} d */
export async function release(d) {
  const c = context(d);
  let state = readState(d.stateFile);
  if (state && FINAL.has(state.status)) {
    d.out(`previous release in ${d.stateFile} ended ${state.status}; starting a new one`);
    state = null;
  }
  if (state) {
    c.state = state;
    c.record(
      'resumed',
      `resuming the release of ${state.canary.id} (${state.status}, step ${state.step + 1} of ${state.plan.steps.length})`,
      { status: state.status },
    );
  } else {
    const refused = await startRelease(d, c);
    if (refused) return refused;
  }
  state = c.state;
  const plan = state.plan;

  if (state.status === 'uploaded') {
    await deploySplit(d, c, 0);
    c.record(
      'deployed',
      `deployed ${state.stable.id}@100% ${state.canary.id}@0%: smoke through the version override`,
      { percent: 0 },
    );
    const result = await smoke({
      ...d.smoke,
      workerName: d.workerName,
      versionId: state.canary.id,
    });
    for (const r of result.results) d.out(`  smoke ${r.path}: ${r.status} ${r.reason ?? 'ok'}`);
    if (!result.ok)
      return rollBack(
        d,
        c,
        'smoke',
        `smoke at 0 % failed (${result.results
          .filter((r) => r.reason)
          .map((r) => `${r.path}: ${r.reason}`)
          .join('; ')})`,
        { smoke: result.results },
      );
    state.status = 'smoked';
    c.record('smoked', 'smoke at 0 % passed', { smoke: result.results });
  }

  /** An `--abort` from another shell rolled back and wrote the state file: stop, deploy nothing more. */
  const abortedElsewhere = () => {
    const onDisk = readState(d.stateFile);
    if (onDisk?.status !== 'rolled_back') return null;
    d.out(`the release was rolled back by another process (${onDisk.failedGate}); stopping`);
    return { outcome: 'rolled_back', failedGate: onDisk.failedGate, exitCode: 1, state: onDisk };
  };

  for (let i = Math.max(state.step, 0); i < plan.steps.length; i++) {
    const step = plan.steps[i];
    const stopped = abortedElsewhere();
    if (stopped) return stopped;
    if (state.deployedStep < i) {
      await deploySplit(d, c, step.percent);
      Object.assign(state, {
        status: 'rolling',
        step: i,
        deployedStep: i,
        stepStartedAt: d.clock.now(),
      });
      c.record(
        'deployed',
        `step ${i + 1}/${plan.steps.length}: ${state.stable.id}@${100 - step.percent}% ${state.canary.id}@${step.percent}% (bake ${step.bakeSeconds} s, ≥ ${step.minSamples} samples)`,
        { step: i + 1, percent: step.percent },
      );
    }
    for (;;) {
      // Poll every pollSeconds; the last wait of the bake ends with the bake, not after it.
      const remaining = step.bakeSeconds - (d.clock.now() - state.stepStartedAt) / 1000;
      await d.clock.sleep(
        (remaining > 0 ? Math.min(plan.pollSeconds, remaining) : plan.pollSeconds) * 1000,
      );
      let evaluation;
      let figures = null;
      try {
        const rows = await d.queryGate(plan.window);
        figures = {
          canary: figuresOf(rows, state.canary.id),
          stable: figuresOf(rows, state.stable.id),
        };
        evaluation = evaluateGates({ ...figures, gates: plan.gates, minSamples: step.minSamples });
      } catch (err) {
        // No figures is never a pass: hold, and abort once the step has held too long.
        evaluation = {
          verdict: 'hold',
          gate: 'metrics_unavailable',
          reason: `metrics query failed: ${err.message}`,
          relative: 'skipped',
        };
      }
      const stoppedNow = abortedElsewhere();
      if (stoppedNow) return stoppedNow;
      const elapsedSeconds = (d.clock.now() - state.stepStartedAt) / 1000;
      const next = decideStep(evaluation, {
        elapsedSeconds,
        bakeSeconds: step.bakeSeconds,
        maxHoldSeconds: plan.maxHoldSeconds,
      });
      const gate =
        next.action === 'abort' && evaluation.verdict === 'hold' ? evaluation.gate : next.gate;
      const fields = {
        step: i + 1,
        percent: step.percent,
        action: next.action,
        gate,
        verdict: evaluation.verdict,
        relative: evaluation.relative,
        elapsedSeconds: Math.round(elapsedSeconds),
        figures,
      };
      const seen = figures
        ? ` [${describeFigures('canary', figures.canary)}; ${describeFigures('stable', figures.stable)}]`
        : '';
      if (next.action === 'abort')
        return rollBack(
          d,
          c,
          gate,
          `step ${i + 1} at ${step.percent} %: ${evaluation.verdict === 'hold' ? `held past ${step.bakeSeconds + plan.maxHoldSeconds} s: ` : ''}${evaluation.reason}${seen}`,
          fields,
        );
      c.record(
        'gate',
        `step ${i + 1} at ${step.percent} %: ${next.action.toUpperCase()} (${evaluation.reason})${seen}`,
        fields,
      );
      if (next.action === 'advance') break;
    }
  }

  const stoppedLast = abortedElsewhere();
  if (stoppedLast) return stoppedLast;
  await d.wrangler.ok(
    deploySingleArgs({
      env: d.env,
      version: state.canary.id,
      message: `release ${state.canary.tag}: promoted`,
    }),
  );
  state.status = 'promoted';
  c.record('promoted', `PROMOTED: ${state.canary.id}@100%`);
  return { outcome: 'promoted', failedGate: null, exitCode: 0, state };
}

/** `--abort`: all traffic back to the stable version of the release in the state file, at once. @param {Deps} d */
export async function abortRelease(d) {
  const c = context(d);
  const state = readState(d.stateFile);
  if (!state)
    throw new Error(
      `no release state in ${d.stateFile}: nothing to abort (roll back by hand: npx wrangler rollback --env ${d.env})`,
    );
  if (state.status === 'rolled_back') {
    d.out(`the release of ${state.canary.id} is already rolled back`);
    return { outcome: 'rolled_back', failedGate: state.failedGate, exitCode: 1, state };
  }
  c.state = state;
  return rollBack(
    d,
    c,
    'manual_abort',
    `aborted by the operator at ${state.status}${state.step >= 0 ? ` (step ${state.step + 1})` : ''}`,
  );
}
