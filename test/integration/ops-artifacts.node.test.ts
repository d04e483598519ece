/**
 * The operator artifacts are checked, not eyeballed: every Analytics Engine query, dashboard
 * panel and alert rule parses, reads only columns src/telemetry/schema.ts defines (and calls
 * them by their schema names), weights by `_sample_interval`; the alert thresholds are the
 * ones docs/observability.md documents.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { LEDGER, REQUESTS, columnsOf, type DatasetSchema } from '../../src/telemetry/schema';
import { datasetsOf, loadQuery, queryNames } from '../../scripts/lib/analytics.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OPS = path.join(ROOT, 'ops');
type Schema = DatasetSchema<string, string>;

/** The schema a dataset reference (placeholder, dashboard variable or dataset name) stands for. */
function schemaOf(from: string): Schema {
  if (/requests/.test(from)) return REQUESTS;
  if (/ledger/.test(from)) return LEDGER;
  throw new Error(`unknown dataset ${from}`);
}

/** Checks one SQL text: one dataset, only its columns, positional columns aliased by their schema names, weighted. */
function checkSql(label: string, text: string): void {
  const sql = text.replaceAll(/--[^\n]*/g, '');
  const froms = [...sql.matchAll(/\bFROM\s+(\S+)/gi)].map((m) => m[1] ?? '');
  expect(froms, label).toHaveLength(1);
  const schema = schemaOf(froms[0] ?? '');
  const columns = columnsOf(schema);
  const used = new Set(
    [...sql.matchAll(/\b(index\d+|blob\d+|double\d+)\b/g)].map((m) => m[1] ?? ''),
  );
  expect(used.size, label).toBeGreaterThan(0);
  for (const col of used)
    expect(columns.has(col), `${label}: ${col} is not in the ${schema.binding} schema`).toBe(true);
  for (const m of sql.matchAll(/\b(index\d+|blob\d+|double\d+)\s+AS\s+(\w+)/gi)) {
    expect(m[2], `${label}: ${m[1]} must be called ${columns.get(m[1] ?? '')}`).toBe(
      columns.get(m[1] ?? ''),
    );
  }
  // Sums, averages and quantiles must weight each stored point by how many it stands for
  // (MAX/MIN need no weight); count() and avg() ignore sampling altogether.
  if (/\b(sum|quantile\w*)\s*\(/i.test(sql))
    expect(sql, `${label} must weight by _sample_interval`).toContain('_sample_interval');
  expect(sql, `${label}: count()/avg() ignore sampling`).not.toMatch(/\b(count|avg)\s*\(/i);
}

describe('ops/queries', () => {
  it('has the queries the issue and the rollout controller need', () => {
    expect(queryNames()).toEqual(
      expect.arrayContaining([
        'version-health',
        'cache-hit-rate',
        'rate-limited',
        'projection-lag',
        'top-tenants-by-errors',
      ]),
    );
  });

  it.each(queryNames())('%s names only schema columns, weighted by _sample_interval', (name) => {
    const raw = readFileSync(path.join(OPS, 'queries', `${name}.sql`), 'utf8');
    expect(raw).toMatch(/\{\{(requests|ledger)\}\}/);
    expect(raw).toContain('{{since}}');
    checkSql(name, raw);
    const filled = loadQuery(name, { env: 'staging', since: '15m' });
    expect(filled).not.toMatch(/\{\{|\}\}|^\s*--/m);
    expect(filled).toContain("INTERVAL '15' MINUTE");
    expect(filled).toMatch(/FROM finance_edge_(requests|ledger)_staging\b/);
  });

  it('version-health gives the rollout gate its figures per version per 5 minutes', () => {
    const sql = loadQuery('version-health');
    expect(sql).toContain("toStartOfInterval(timestamp, INTERVAL '5' MINUTE)");
    for (const figure of ['error_ratio', 'p50_ms', 'p95_ms', 'p99_ms', 'version_id'])
      expect(sql).toContain(figure);
  });

  it('refuses a window it cannot express and an unknown query', () => {
    expect(() => loadQuery('version-health', { since: '1 hour' })).toThrow(/--since/);
    expect(() => loadQuery('version-health', { since: '0h' })).toThrow(/--since/);
    expect(() => loadQuery('../package', {})).toThrow(/unknown query/);
  });
});

interface Target {
  refId: string;
  query: string;
  datasource: { uid: string };
}
interface Panel {
  title: string;
  type: string;
  targets: Target[];
  datasource: { uid: string; type: string };
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; options: { value: string }[] }[] };
}

describe('Grafana dashboard', () => {
  const file = path.join(OPS, 'grafana', 'dashboards', 'finance-edge.json');
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
  const datasource = parseYaml(
    readFileSync(
      path.join(OPS, 'grafana', 'provisioning', 'datasources', 'analytics-engine.yaml'),
      'utf8',
    ),
  ) as { datasources: { uid: string; type: string; url: string }[] };

  it('uses the provisioned Analytics Engine data source (SQL API over the ClickHouse plugin)', () => {
    const [ds] = datasource.datasources;
    expect(ds?.url).toMatch(
      /^https:\/\/api\.cloudflare\.com\/client\/v4\/accounts\/\$\{CLOUDFLARE_ACCOUNT_ID\}\/analytics_engine\/sql$/,
    );
    for (const panel of dashboard.panels) {
      expect(panel.datasource, panel.title).toEqual({ type: ds?.type, uid: ds?.uid });
      for (const t of panel.targets) expect(t.datasource.uid, panel.title).toBe(ds?.uid);
    }
  });

  it('shows the KPIs operators asked for', () => {
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const kpi of [
      'requests per version',
      'error rate',
      'p95 / p99',
      'per route',
      'cache hit rate',
      'projection lag',
      'rate-limit',
      'commands per second',
    ])
      expect(titles).toContain(kpi);
  });

  it('every panel query names only schema columns, weighted', () => {
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const t of panel.targets) checkSql(panel.title, t.query);
    }
  });

  it('its dataset variables offer exactly the datasets the environments bind', () => {
    const options = (name: string) =>
      dashboard.templating.list.find((v) => v.name === name)?.options.map((o) => o.value);
    expect(options('requests_dataset')).toEqual(
      ['staging', 'production'].map((e) => datasetsOf(e).requests),
    );
    expect(options('ledger_dataset')).toEqual(
      ['staging', 'production'].map((e) => datasetsOf(e).ledger),
    );
  });
});

interface Rule {
  uid: string;
  for: string;
  labels: { severity: string };
  data: {
    refId: string;
    datasourceUid: string;
    model: {
      query?: string;
      type?: string;
      conditions?: { evaluator: { type: string; params: number[] } }[];
    };
  }[];
}

/** The alert table of docs/observability.md: uid → { severity, op, threshold, for }. */
function documentedAlerts(): Map<
  string,
  { severity: string; op: string; threshold: number; for: string }
> {
  const doc = readFileSync(path.join(ROOT, 'docs', 'observability.md'), 'utf8');
  const out = new Map<string, { severity: string; op: string; threshold: number; for: string }>();
  for (const m of doc.matchAll(
    /^\| `(fe-[\w-]+)` \| (\w+) \| [^|]+ \| ([<>]) ([\d.]+) \| (\w+) \|$/gm,
  )) {
    out.set(m[1] ?? '', {
      severity: m[2] ?? '',
      op: m[3] === '>' ? 'gt' : 'lt',
      threshold: Number(m[4]),
      for: m[5] ?? '',
    });
  }
  return out;
}

describe('Grafana alert rules', () => {
  const file = parseYaml(
    readFileSync(
      path.join(OPS, 'grafana', 'provisioning', 'alerting', 'finance-edge-rules.yaml'),
      'utf8',
    ),
  ) as { apiVersion: number; groups: { name: string; rules: Rule[] }[] };
  const rules = file.groups.flatMap((g) => g.rules);

  it('has exactly the documented rules, with the documented thresholds', () => {
    const documented = documentedAlerts();
    expect(documented.size).toBe(7);
    expect(rules.map((r) => r.uid).sort()).toEqual([...documented.keys()].sort());
    for (const rule of rules) {
      const want = documented.get(rule.uid);
      const threshold = rule.data.find((d) => d.model.type === 'threshold')?.model.conditions?.[0]
        ?.evaluator;
      expect(
        {
          severity: rule.labels.severity,
          op: threshold?.type,
          threshold: threshold?.params[0],
          for: rule.for,
        },
        rule.uid,
      ).toEqual(want);
    }
  });

  it('matches the thresholds of the issue (critical 1 %, 500 ms; warning 0.5 %, 300 ms, hit rate 50 %)', () => {
    const doc = documentedAlerts();
    expect(doc.get('fe-error-rate-critical')).toMatchObject({
      threshold: 0.01,
      for: '5m',
      severity: 'critical',
    });
    expect(doc.get('fe-p95-critical')).toMatchObject({
      threshold: 500,
      for: '5m',
      severity: 'critical',
    });
    expect(doc.get('fe-projection-lag-growing')).toMatchObject({
      op: 'gt',
      threshold: 0,
      for: '5m',
      severity: 'critical',
    });
    expect(doc.get('fe-ready-failing')).toMatchObject({ severity: 'critical' });
    expect(doc.get('fe-error-rate-warning')).toMatchObject({
      threshold: 0.005,
      for: '15m',
      severity: 'warning',
    });
    expect(doc.get('fe-p95-warning')).toMatchObject({
      threshold: 300,
      for: '15m',
      severity: 'warning',
    });
    expect(doc.get('fe-cache-hit-rate-low')).toMatchObject({
      op: 'lt',
      threshold: 0.5,
      severity: 'warning',
    });
  });

  it('every rule queries the production datasets by schema columns, through the provisioned data source', () => {
    for (const rule of rules) {
      const [query, ...rest] = rule.data.filter((d) => d.model.query !== undefined);
      expect(rest, rule.uid).toHaveLength(0);
      expect(query?.datasourceUid, rule.uid).toBe('finance-edge-ae');
      checkSql(rule.uid, query?.model.query ?? '');
      expect(query?.model.query, rule.uid).toMatch(
        /FROM finance_edge_(requests|ledger)_production\b/,
      );
    }
  });

  it('every file under ops/grafana parses', () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
      );
    const files = walk(path.join(OPS, 'grafana'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(() => (f.endsWith('.json') ? JSON.parse(text) : parseYaml(text)), f).not.toThrow();
    }
  });
});
