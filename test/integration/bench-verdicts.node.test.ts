/**
 * The bench's issue #21 verdicts are judged by plain functions over its measurements: the
 * Age of STALE answers (scripts/bench/mix.mjs), the 1,000-connection targets
 * (restated.mjs), what the write-then-read probes count as showing a write
 * (consistency-probes.mjs) and the per-issue summary (verdicts.mjs). A verdict that could
 * not fail would make the bench's PASS worthless, so each is checked on failing input too.
 */
import { describe, expect, it } from 'vitest';
import { PROBES } from '../../scripts/bench/consistency-probes.mjs';
import { staleAges } from '../../scripts/bench/mix.mjs';
import { restatedTargets } from '../../scripts/bench/restated.mjs';
import { issueTables, verdict } from '../../scripts/bench/verdicts.mjs';

type Mix = Parameters<typeof restatedTargets>[0];

/** A mix result as mix.mjs summarizes it; `over` replaces any member. */
function mix(over: Record<string, unknown> = {}): Mix {
  return {
    connections: 1000,
    seconds: 10,
    statusCodes: { 200: 900 },
    status5xx: 0,
    errors: 0,
    timeouts: 0,
    xcache: { HIT: 880, STALE: 20 },
    hitRate: 880 / 900,
    cacheShare: 1,
    staleAge: { noAge: 0, maxSeconds: 4, bySecond: { 4: 20 } },
    ...over,
  } as Mix;
}

const judged = (m1000: Mix, m100: Mix = mix({ connections: 100 })) =>
  Object.fromEntries(
    restatedTargets(m100, m1000).map((t) => [t.name.split(' ').slice(0, 3).join(' '), t]),
  );

describe('the Age of STALE answers (mix.mjs)', () => {
  it('reads Age, falls back to X-Cache-Age, and counts answers with neither', () => {
    const ages = staleAges();
    ages.add({ Age: '3' });
    ages.add({ 'x-cache-age': '12' });
    ages.add({ 'X-Cache-Age': '1', age: '7' });
    ages.add({ 'x-cache': 'STALE' });
    ages.add({ age: 'soon' });
    expect(ages.summary()).toEqual({ noAge: 2, maxSeconds: 12, bySecond: { 3: 1, 12: 1, 7: 1 } });
  });

  it('has no largest age when nothing carried one', () => {
    const ages = staleAges();
    ages.add({});
    expect(ages.summary()).toEqual({ noAge: 1, maxSeconds: null, bySecond: {} });
  });
});

describe('1,000 connections, restated (restated.mjs)', () => {
  it('passes a run with no 5xx, no socket errors, reads from cache and young STALE answers', () => {
    const t = restatedTargets(mix({ connections: 100 }), mix());
    expect(t.map(verdict).filter((v) => v !== 'INFO')).toEqual([
      'PASS',
      'PASS',
      'PASS',
      'PASS',
      'PASS',
    ]);
    expect(t.every((x) => x.issue === 21)).toBe(true);
  });

  it.each([
    ['zero 5xx at', { status5xx: 3, statusCodes: { 200: 897, 503: 3 } }],
    ['zero socket errors', { errors: 2, timeouts: 2 }],
    ['zero socket errors', { xcache: { HIT: 10 }, seconds: 10 }],
    ['≥ 95% of', { cacheShare: 0.9 }],
    ['every STALE answer', { staleAge: { noAge: 1, maxSeconds: 4, bySecond: { 4: 19 } } }],
    ['every STALE answer', { staleAge: { noAge: 0, maxSeconds: 11, bySecond: { 11: 20 } } }],
  ])('fails "%s" on %j', (target, over) => {
    const t = judged(mix(over));
    expect(verdict(t[target]!)).toBe('FAIL');
  });

  it('passes nothing at 1,000 connections when no read was answered', () => {
    const silent = mix({
      statusCodes: {},
      xcache: {},
      errors: 700,
      timeouts: 700,
      cacheShare: null,
    });
    silent.staleAge = { noAge: 0, maxSeconds: null, bySecond: {} };
    const t = restatedTargets(mix({ connections: 100 }), silent);
    expect(t.slice(0, 4).map(verdict)).toEqual(['FAIL', 'FAIL', 'FAIL', 'FAIL']);
  });

  it('judges the hit rate at 100 connections, and only reports it at 1,000', () => {
    const t = restatedTargets(mix({ connections: 100, hitRate: 0.85 }), mix({ hitRate: 0.1 }));
    const hit = t.filter((x) => x.name.includes('hit rate'));
    expect(hit.map(verdict)).toEqual(['FAIL', 'INFO']);
  });
});

describe('what the write-then-read probes count as showing the write', () => {
  it('a list shows the write when its page holds the new id', () => {
    const s = { id: 'inv_2' };
    expect(PROBES.list.sees({ data: [{ id: 'inv_2' }] }, s)).toBe(true);
    expect(PROBES.list.sees({ data: [{ id: 'inv_1' }] }, s)).toBe(false);
    expect(PROBES.list.sees({ type: 'about:blank', status: 503 }, s)).toBe(false);
  });

  it("AR aging shows an issue when the customer's total includes every amount issued", () => {
    const s = { customerId: 'cus_1', owed: 20_000 };
    const aging = (total: number) => ({
      currencies: [{ currency: 'USD', customers: [{ customerId: 'cus_1', total }] }],
    });
    expect(PROBES.arAging.sees(aging(20_000), s)).toBe(true);
    expect(PROBES.arAging.sees(aging(10_000), s)).toBe(false);
  });

  it('the dashboard shows an issue when it counts every invoice issued', () => {
    expect(PROBES.dashboard.sees({ counts: { openInvoices: 3 } }, { issued: 3 })).toBe(true);
    expect(PROBES.dashboard.sees({ counts: { openInvoices: 2 } }, { issued: 3 })).toBe(false);
  });
});

describe('the per-issue summary (verdicts.mjs)', () => {
  it('gathers the targets tagged with an issue from every section, and nothing else', () => {
    const results = {
      sections: {
        reads: {
          targets: [
            { name: 'a', value: '1', pass: true, issue: 21 },
            { name: 'untagged', value: '2', pass: false },
          ],
        },
        consistency: {
          targets: [
            { name: 'b', value: '3', pass: false, issue: 21 },
            { name: 'c', value: '4', pass: null, info: true, issue: 21 },
          ],
        },
        other: { targets: [{ name: 'd', value: '5', pass: null, issue: 7 }] },
      },
    };
    const [seven, t21] = issueTables(results);
    expect(seven!.caption).toMatch(/^Issue #7 targets: 1 SKIP/);
    expect(t21!.caption).toMatch(/^Issue #21 targets: 1 PASS, 1 FAIL, 1 INFO/);
    expect(t21!.head).toEqual(['target', 'measured', 'verdict', 'section']);
    expect(t21!.rows).toEqual([
      ['a', '1', 'PASS', 'reads'],
      ['b', '3', 'FAIL', 'consistency'],
      ['c', '4', 'INFO', 'consistency'],
    ]);
  });
});
