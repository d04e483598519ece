// The rollout plan (ops/rollout-plan.json): steps of canary percentage with a bake time and a
// minimum number of canary samples each, the gates' window and thresholds. Validated once with
// zod so a typo in the plan stops the release before anything is uploaded.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { sinceInterval } from '../lib/analytics.mjs';
import { ROOT } from '../lib/dev-keys.mjs';

export const DEFAULT_PLAN_PATH = path.join(ROOT, 'ops', 'rollout-plan.json');

const Step = z
  .object({
    percent: z.number().int().min(1).max(100),
    bakeSeconds: z
      .number()
      .min(0)
      .max(24 * 3600),
    minSamples: z.number().int().min(1),
  })
  .strict();

const Gates = z
  .object({
    /** Absolute ceiling of the canary's 5xx share (0.01 = 1 %). */
    maxErrorRatio: z.number().min(0).max(1),
    /** Absolute ceiling of the canary's p95 request duration. */
    maxP95Ms: z.number().positive(),
    /** Canary against stable over the same window (applied when stable has minSamples too). */
    relative: z
      .object({
        errorRatioMargin: z.number().min(0).max(1),
        p95Ratio: z.number().min(1),
        p95SlackMs: z.number().min(0),
      })
      .strict(),
  })
  .strict();

export const PlanSchema = z
  .object({
    $comment: z.string().optional(),
    steps: z.array(Step).min(1).max(10),
    /** The gate query's window ({{since}}: 5m, 1h, ...). */
    window: z.string().refine((w) => {
      try {
        sinceInterval(w);
        return true;
      } catch {
        return false;
      }
    }, 'must look like 5m, 1h or 1d'),
    pollSeconds: z.number().positive().max(3600),
    /** How long a step may keep holding for samples after its bake time before the rollout is aborted. */
    maxHoldSeconds: z
      .number()
      .min(0)
      .max(24 * 3600),
    gates: Gates,
  })
  .strict()
  .superRefine((plan, ctx) => {
    plan.steps.forEach((s, i) => {
      if (i > 0 && s.percent <= (plan.steps[i - 1]?.percent ?? 0))
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'percent'],
          message: 'steps must increase',
        });
    });
    if (plan.steps.at(-1)?.percent !== 100)
      ctx.addIssue({ code: 'custom', path: ['steps'], message: 'the last step must be 100' });
  });

/** Parses and validates a plan object; throws one message naming every problem. */
export function parsePlan(raw, source = 'plan') {
  const parsed = PlanSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(plan)'}: ${i.message}`,
    );
    throw new Error(`${source} is not a valid rollout plan: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Reads and validates a plan file. */
export function loadPlan(file = DEFAULT_PLAN_PATH) {
  let raw;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the rollout plan ${file}: ${err.message}`);
  }
  return parsePlan(raw, path.relative(ROOT, file) || file);
}
