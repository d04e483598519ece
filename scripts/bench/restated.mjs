// "1,000 connections, restated" (issue #21), judged on the `reads` section's mix with the
// cache on. One local isolate serving 1,000 connections starves its own Postgres builds
// (issue #5), so the hit rate there is no longer the target; instead: no 5xx, no socket
// errors, the reads answered from the cache tier (HIT or STALE), and every STALE answer
// saying its age (`Age`, else `X-Cache-Age`: mix.mjs) within the configured maximum.
// The hit rate at 100 connections still holds.
import { round } from './load.mjs';

export const RESTATED = {
  connections: 1000,
  cacheShare: 0.95,
  /** The Worker's default maximum age of a STALE answer, seconds (beyond it: 503). */
  maxStaleAgeS: 10,
  hitRate100: 0.9,
};

const pct = (x) => (x === null || x === undefined ? '–' : `${round(x * 100, 1)}%`);
const readsOf = (m) => Object.values(m.xcache).reduce((a, b) => a + b, 0);
const readRate = (m) => readsOf(m) / (m.seconds || 1);

/**
 * The targets for the mix at 1,000 connections (`m1000`) and the hit rate at 100 (`m100`).
 * A run whose reads never came back has no errors but is no pass: the reads answered per
 * second at 1,000 connections must reach half the rate at 100.
 */
export function restatedTargets(m100, m1000) {
  const t = (name, value, pass, extra = {}) => ({ issue: 21, name, value, pass, ...extra });
  const at = `at ${RESTATED.connections} connections (mix, cache on)`;
  // With no read answered, nothing was shown to hold: no target of the run passes.
  const answered = readsOf(m1000) > 0;
  const none = answered ? '' : '; no read answered';
  const keptUp = answered && readRate(m1000) >= 0.5 * readRate(m100);
  const stale = m1000.xcache.STALE ?? 0;
  const age = m1000.staleAge ?? { noAge: stale, maxSeconds: null };
  return [
    t(
      `zero 5xx ${at}`,
      `${m1000.status5xx} (status ${JSON.stringify(m1000.statusCodes)})${none}`,
      answered && m1000.status5xx === 0,
    ),
    t(
      `zero socket errors ${at}; reads answered at ≥ half the 100-connection rate`,
      `${m1000.errors} errors (${m1000.timeouts} timeouts); reads ${round(readRate(m1000), 0)}/s vs ${round(readRate(m100), 0)}/s at 100`,
      m1000.errors === 0 && keptUp,
    ),
    t(
      `≥ ${RESTATED.cacheShare * 100}% of reads answered from cache (HIT or STALE) ${at}`,
      `${pct(m1000.cacheShare)} (X-Cache ${JSON.stringify(m1000.xcache)})`,
      m1000.cacheShare !== null && m1000.cacheShare >= RESTATED.cacheShare,
    ),
    t(
      `every STALE answer carries its age, ≤ ${RESTATED.maxStaleAgeS} s ${at}`,
      stale
        ? `${stale} STALE: largest Age ${age.maxSeconds ?? '–'} s; ${age.noAge} with no Age header`
        : `no STALE answers${none}`,
      answered && age.noAge === 0 && (age.maxSeconds ?? 0) <= RESTATED.maxStaleAgeS,
    ),
    t(
      `cache hit rate ≥ ${RESTATED.hitRate100 * 100}% on the mix at 100 connections`,
      pct(m100.hitRate),
      m100.hitRate !== null && m100.hitRate >= RESTATED.hitRate100,
    ),
    t(`(informational) hit rate ${at}`, pct(m1000.hitRate), null, { info: true }),
  ];
}
