// Issue #21's AR aging target, judged on the 100k tenant's timings (reads-100k.mjs).
/**
 * Issue #21, AR aging with many owing customers: p95 ≤ 50 ms for a page of 100 customers
 * (every currency's totals over all of them) of the 100k tenant's 5,000 owing customers,
 * as of today and half a year back; the whole report (every customer at once) beside it.
 */
const AGING_P95_MS = 50;
export function agingTargets(big) {
  if (!big?.aging?.length) return [];
  const paged = big.aging.filter((r) => r.path.includes('limit='));
  const whole = big.aging.filter((r) => !r.path.includes('limit='));
  const p95s = (rows) => rows.map((r) => `${r.p95 ?? 'not answered'} ms (${r.path})`).join('; ');
  return [
    {
      name: `AR aging p95 ≤ ${AGING_P95_MS} ms at ${big.customers} owing customers (a page of 100 customers with every total; cache off, 1 conn)`,
      value: p95s(paged),
      pass: paged.every((r) => r.p95 !== null && r.p95 <= AGING_P95_MS && r.unexpected === 0),
      issue: 21,
    },
    {
      name: `(the whole AR aging, all ${big.customers} customers in one answer) p95`,
      value: p95s(whole),
      pass: null,
      info: true,
      issue: 21,
    },
  ];
}
