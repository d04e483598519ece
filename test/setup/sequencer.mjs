/**
 * The order files start in, on a machine that has never run the suite (a fresh clone in CI).
 * vitest starts the files it has timed before longest first, which packs two workers well; a
 * file it has not timed starts by size, largest first, and the suites that take longest are
 * short files that start whole stacks (the release rehearsal, the load-test runs): started
 * last, one of them ran on alone for the last half minute of the run. With no timings at all,
 * the files named here start first, in this order, within their project (vitest keeps the
 * projects of a lane in name order); every other file follows in vitest's order. A name that
 * goes stale only changes the order, never what runs. A project with timings (any run of it
 * after the first on a machine) keeps vitest's own order.
 */
import path from 'node:path';
import { BaseSequencer } from 'vitest/node';

/** @typedef {import('vitest/node').TestSpecification} TestSpecification */

/** Longest first, as `npm test` timed them on a 2-core machine (its per-file durations). */
const LONGEST_FIRST = [
  'test/release/rehearsal.node.test.ts',
  'test/load/stream.node.test.ts',
  'test/integration/contract.node.test.ts',
  'test/load/runner.node.test.ts',
  'test/integration/cross-request-io.node.test.ts',
  'test/integration/wrangler-dev.node.test.ts',
  'test/integration/wire.node.test.ts',
  'test/integration/docs-browser.node.test.ts',
  'test/integration/pglite-gate.node.test.ts',
  'test/release/controller.node.test.ts',
  'test/integration/read-side.db.test.ts',
  'test/integration/queries-plans.db.test.ts',
  'test/integration/projection.db.test.ts',
];

export class LongestFirstSequencer extends BaseSequencer {
  /** @param {TestSpecification[]} files */
  async sort(files) {
    const sorted = await super.sort(files);
    /** @param {TestSpecification} spec */
    const timed = (spec) => this.ctx.cache.getTestSpecificationResult(spec) !== undefined;
    /** @param {TestSpecification} spec */
    const rank = (spec) => {
      const i = LONGEST_FIRST.indexOf(path.relative(this.ctx.config.root, spec.moduleId));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    // vitest's order keeps each project's files together: reorder within each run of them.
    /** @type {TestSpecification[][]} */
    const runs = [];
    for (const spec of sorted) {
      const last = runs.at(-1);
      if (last?.[0]?.project === spec.project) last.push(spec);
      else runs.push([spec]);
    }
    return runs.flatMap((run) =>
      run.some(timed)
        ? run
        : run
            .map((spec, i) => ({ spec, i }))
            .sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i)
            .map(({ spec }) => spec),
    );
  }
}
