// Metric samples and k6-style thresholds, for the local runner (runner.mjs) and the local load
// generator (autocannon.mjs): the four k6 metric types, sub-metrics selected by tags
// (`http_req_duration{kind:read}`), the aggregations thresholds are written with (avg, min,
// med, max, p(N), rate, count, value) and k6's end-of-test data shape for `handleSummary`.

const AGG =
  /^\s*(avg|min|max|med|count|rate|value|passes|fails|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|<|>|===|==|!=)\s*(-?\d+(?:\.\d+)?)\s*$/;
const DEFAULT_TRENDS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

/** `p(95)<300` → `{ agg: 'p(95)', op: '<', limit: 300 }`; throws on what k6 would refuse too. */
export function parseThreshold(expr) {
  const m = AGG.exec(expr);
  if (!m)
    throw new Error(
      `invalid threshold expression "${expr}" (this runner reads avg, min, max, med, p(N), rate, count, value with < <= > >= == !=)`,
    );
  return { agg: m[1], op: m[3], limit: Number(m[4]) };
}

/** `http_req_duration{kind:read,name:x}` → `{ metric, tags: { kind: 'read', name: 'x' } }`. */
export function parseSelector(key) {
  const i = key.indexOf('{');
  if (i < 0) return { metric: key.trim(), tags: {} };
  if (!key.endsWith('}')) throw new Error(`invalid threshold metric "${key}"`);
  const tags = {};
  for (const part of key.slice(i + 1, -1).split(',')) {
    const j = part.indexOf(':');
    if (j < 0) throw new Error(`invalid tag filter "${part}" in "${key}"`);
    tags[part.slice(0, j).trim()] = part
      .slice(j + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { metric: key.slice(0, i).trim(), tags };
}

const compare = (v, op, limit) =>
  ({
    '<': v < limit,
    '<=': v <= limit,
    '>': v > limit,
    '>=': v >= limit,
    '==': v === limit,
    '===': v === limit,
    '!=': v !== limit,
  })[op];

/** Percentile by linear interpolation between the closest ranks of sorted values. */
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** One metric's (or sub-metric's) values over `samples` (numbers; booleans count as 0/1). */
export function aggregate(type, samples, seconds, trendStats = DEFAULT_TRENDS) {
  const xs = samples.map(Number);
  if (type === 'rate') {
    const passes = xs.filter((x) => x !== 0).length;
    return { rate: xs.length ? passes / xs.length : 0, passes, fails: xs.length - passes };
  }
  if (type === 'counter') {
    const count = xs.reduce((a, b) => a + b, 0);
    return { count, rate: seconds > 0 ? count / seconds : 0 };
  }
  if (type === 'gauge')
    return {
      value: xs.at(-1) ?? 0,
      min: xs.length ? Math.min(...xs) : 0,
      max: xs.length ? Math.max(...xs) : 0,
    };
  const sorted = Float64Array.from(xs).sort();
  const out = {};
  for (const stat of trendStats) {
    const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
    if (p) out[stat] = percentile(sorted, Number(p[1]));
    else if (stat === 'avg') out.avg = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
    else if (stat === 'min') out.min = sorted[0] ?? 0;
    else if (stat === 'max') out.max = sorted.at(-1) ?? 0;
    else if (stat === 'med') out.med = percentile(sorted, 50);
    else if (stat === 'count') out.count = xs.length;
  }
  return out;
}

/** Samples of every metric a run emitted, with their tags. */
export class MetricStore {
  constructor() {
    /** @type {Map<string, { type: string, contains: string, samples: Array<{ value: number, tags: Record<string, string> }> }>} */
    this.metrics = new Map();
  }

  define(name, type, contains = 'default') {
    if (!this.metrics.has(name)) this.metrics.set(name, { type, contains, samples: [] });
    return this.metrics.get(name);
  }

  add(name, type, value, tags = {}, contains) {
    this.define(name, type, contains).samples.push({ value: Number(value), tags });
  }

  /** Values of `metric` whose tags include every `filter` tag. */
  values(metric, filter = {}) {
    const m = this.metrics.get(metric);
    if (!m) return [];
    const keys = Object.keys(filter);
    return m.samples
      .filter((s) => keys.every((k) => String(s.tags[k]) === filter[k]))
      .map((s) => s.value);
  }

  /**
   * Every threshold of `thresholds` (k6's `options.thresholds`) over `seconds` of run:
   * `[{ key, expr, ok, value, abortOnFail }]`. A metric that no sample reached fails its
   * thresholds, except `count` and `rate` of a counter (0).
   */
  evaluate(thresholds = {}, seconds = 1) {
    const out = [];
    for (const [key, list] of Object.entries(thresholds)) {
      const { metric, tags } = parseSelector(key);
      const m = this.metrics.get(metric);
      for (const t of list) {
        const expr = typeof t === 'string' ? t : t.threshold;
        const { agg, op, limit } = parseThreshold(expr);
        const xs = this.values(metric, tags);
        let value = NaN;
        if (m && (xs.length || m.type === 'counter'))
          value = aggregate(m.type, xs, seconds, [agg])[agg === 'value' ? 'value' : agg];
        out.push({
          key,
          expr,
          value,
          ok: Number.isFinite(value) && compare(value, op, limit),
          abortOnFail: typeof t === 'object' && t.abortOnFail === true,
        });
      }
    }
    return out;
  }

  /** k6's end-of-test `data.metrics`: every metric, plus the sub-metrics thresholds name. */
  summary(thresholds = {}, seconds = 1, trendStats = DEFAULT_TRENDS) {
    const verdicts = this.evaluate(thresholds, seconds);
    const metrics = {};
    const put = (key, metric, filter) => {
      const m = this.metrics.get(metric);
      if (!m) return;
      metrics[key] = {
        type: m.type,
        contains: m.contains,
        values: aggregate(m.type, this.values(metric, filter), seconds, trendStats),
      };
    };
    for (const name of this.metrics.keys()) put(name, name, {});
    for (const v of verdicts) {
      const { metric, tags } = parseSelector(v.key);
      if (!metrics[v.key]) put(v.key, metric, tags);
      if (!metrics[v.key]) metrics[v.key] = { type: 'unknown', contains: 'default', values: {} };
      (metrics[v.key].thresholds ??= {})[v.expr] = { ok: v.ok };
    }
    return { metrics, verdicts };
  }
}
