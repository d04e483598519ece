/**
 * The one place that names every Analytics Engine column (issue #18). Analytics Engine
 * columns are positional (`index1`, `blob1..20`, `double1..20`), so every writer builds its
 * point through `dataPoint` below and every query (`ops/queries/*.sql`), dashboard panel and
 * alert rule (`ops/grafana/`) is checked against these tables (test/integration/ops-artifacts.node.test.ts).
 * Append new slots at the end; never reorder or reuse one (old points keep their meaning).
 */

/** One dataset: its binding, what `index1` holds, and its blob and double slots in order. */
export interface DatasetSchema<B extends string, D extends string> {
  /** The wrangler binding (`[[analytics_engine_datasets]]`). */
  binding: 'REQUEST_METRICS' | 'LEDGER_METRICS';
  /** Placeholder for the dataset's name in `ops/queries/*.sql` (it differs per environment). */
  placeholder: '{{requests}}' | '{{ledger}}';
  index: string;
  blobs: readonly B[];
  doubles: readonly D[];
}

/** One point per HTTP request, written by src/telemetry/request-metrics.ts. */
export const REQUESTS = {
  binding: 'REQUEST_METRICS',
  placeholder: '{{requests}}',
  /** The token's tenant, `anonymous` before authentication (also Analytics Engine's sampling key). */
  index: 'tenant_id',
  blobs: [
    'version_id', // blob1: CF_VERSION_METADATA.id ('local' in development)
    'version_tag', // blob2: CF_VERSION_METADATA.tag (`wrangler versions upload --tag`)
    'route', // blob3: route template, e.g. /v1/invoices/:id (never the raw path)
    'method', // blob4
    'status', // blob5: HTTP status as text ('200')
    'problem_code', // blob6: problem+json `code`, '' on success
    'cache', // blob7: HIT | MISS | BYPASS | STALE, '' for routes without the read cache
    'colo', // blob8: the Cloudflare data center (request.cf.colo)
  ],
  doubles: [
    'duration_ms', // double1: whole request, as the runtime's clock shows it
    'ledger_ms', // double2: time in TenantLedger RPC calls
    'postgres_ms', // double3: time waiting for Postgres (cache builds)
    'kv_ms', // double4: time waiting for KV reads on the response path
    'response_bytes', // double5: body bytes when known without reading the body (Content-Length, cached reads), else 0
    'status_code', // double6: HTTP status as a number (range filters: >= 500)
  ],
} as const satisfies DatasetSchema<string, string>;

/** One point per ledger command and per projection drain, written by the TenantLedger object. */
export const LEDGER = {
  binding: 'LEDGER_METRICS',
  placeholder: '{{ledger}}',
  index: 'tenant_id',
  blobs: [
    'version_id', // blob1: the object's own version (a DO runs one version at a time)
    'version_tag', // blob2
    'command', // blob3: command type (invoice.issue, ...) or projection.drain
    'outcome', // blob4: accepted | replayed | refused | drained | drain_failed
    'error_code', // blob5: the refusal's code, '' otherwise
  ],
  doubles: [
    'duration_ms', // double1: time in the object for this command or drain
    'outbox_depth', // double2: outbox rows waiting for the projection afterwards
    'projection_lag', // double3: ledger position minus projected position, in events
    'position', // double4: the ledger position afterwards
  ],
} as const satisfies DatasetSchema<string, string>;

export type RequestPoint = { [K in (typeof REQUESTS)['blobs'][number]]: string } & {
  [K in (typeof REQUESTS)['doubles'][number]]: number;
};
export type LedgerPoint = { [K in (typeof LEDGER)['blobs'][number]]: string } & {
  [K in (typeof LEDGER)['doubles'][number]]: number;
};

/** Lays named values out in the dataset's slot order. */
export function dataPoint<B extends string, D extends string>(
  schema: DatasetSchema<B, D>,
  index: string,
  values: Record<B, string> & Record<D, number>,
): AnalyticsEngineDataPoint {
  return {
    indexes: [index],
    blobs: schema.blobs.map((name) => values[name]),
    doubles: schema.doubles.map((name) => values[name]),
  };
}

/** Column name (`blob3`, `double1`, `index1`) → schema name, for a dataset (queries, tests). */
export function columnsOf(schema: DatasetSchema<string, string>): Map<string, string> {
  const out = new Map<string, string>([['index1', schema.index]]);
  schema.blobs.forEach((name, i) => out.set(`blob${i + 1}`, name));
  schema.doubles.forEach((name, i) => out.set(`double${i + 1}`, name));
  return out;
}

/** Writes a point without ever failing the caller (telemetry must not break a request or a command). */
export function writePoint(
  dataset: AnalyticsEngineDataset | undefined,
  point: AnalyticsEngineDataPoint,
): void {
  if (!dataset) return;
  try {
    dataset.writeDataPoint(point);
  } catch {
    // A full buffer or a malformed point loses one point, never the request.
  }
}
