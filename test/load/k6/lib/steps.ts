/**
 * The vocabulary of the shared workload (mix.ts): a request step, what setup() hands every VU,
 * the pools a session keeps, the lists and reports it reads, and small helpers. Plain
 * TypeScript, no k6 import: the local load generator loads it too.
 */

/** `read` or `command`: the tag the latency thresholds are written against. */
export type Kind = 'read' | 'command';

/** One request of the mix. `route` is the `name` tag (no ids in it). */
export interface Step {
  kind: Kind;
  route: string;
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers: Record<string, string>;
  body: string | null;
  /** Statuses that count as success for this request. */
  expect: number[];
  /** What the answer must show beyond its status (read-your-writes, ETag); named for `check`. */
  verify: { name: string; ok: (body: unknown, headers: Record<string, string>) => boolean } | null;
  /** Called with the parsed answer and its headers (lower-case names) to update the pools. */
  observe: (body: unknown, headers: Record<string, string>) => void;
}

/** What `setup()` leaves for every VU: the base of the run's keys and a few shared customers. */
export interface SetupData {
  token: string;
  runId: string;
  customerIds: string[];
}

export interface Draft {
  id: string;
  etag: string;
  customerId: string;
}
export interface Open {
  id: string;
  customerId: string;
  balance: number;
}
export interface Own {
  id: string;
  etag: string;
  invoices: number;
}

export const READ_SHARE = 0.8;
/** Share of commands followed by a read that must include them (`X-Min-Position`). */
export const RYW_SHARE = 0.3;
export const POOL = 50;
/** A customer takes at most this many invoices (so its invoices and payments fit one page of 100). */
export const INVOICES_PER_CUSTOMER = 20;
export const CURRENCY = 'USD';
export const TAX_RATES = [0, 8.875, 20];

/** The lists and reports every session reads (with a customer filter added in `read`). */
export const LISTS: ReadonlyArray<{ route: string; path: string }> = [
  { route: 'list invoices', path: '/v1/invoices?expand=customer&limit=50' },
  { route: 'list invoices', path: '/v1/invoices?status=issued,partially_paid&limit=100' },
  { route: 'list customers', path: '/v1/customers?active=true&limit=50' },
  { route: 'list payments', path: '/v1/payments?expand=customer&limit=50' },
];
export const REPORTS: ReadonlyArray<{ route: string; path: string }> = [
  { route: 'report ar-aging', path: '/v1/reports/ar-aging' },
  { route: 'report trial-balance', path: '/v1/reports/trial-balance' },
  { route: 'report dashboard', path: '/v1/reports/dashboard' },
];

/** `YYYY-MM-DD` of today (UTC) plus `days`. */
export function isoDay(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export const pick = <T>(xs: readonly T[]): T | undefined =>
  xs[Math.floor(Math.random() * xs.length)];
export const int = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));
export const keep = <T>(xs: T[], x: T) => {
  xs.push(x);
  if (xs.length > POOL) xs.shift();
};
export const asRecord = (x: unknown): Record<string, unknown> =>
  x !== null && typeof x === 'object' ? (x as Record<string, unknown>) : {};
export const str = (x: unknown): string => (typeof x === 'string' ? x : '');
export const num = (x: unknown): number => (typeof x === 'number' ? x : 0);
export const listHas = (body: unknown, id: string) => {
  const data = asRecord(body).data;
  return Array.isArray(data) && data.some((row) => asRecord(row).id === id);
};

/** What a step is made of: its kind, `name` tag, method, path, and anything else to set. */
export type StepArgs = [
  kind: Kind,
  route: string,
  method: Step['method'],
  path: string,
  extra?: Partial<Step>,
];

/** A step with the defaults (200 expected, nothing to verify or observe) and `auth` headers. */
export function makeStep(
  auth: Record<string, string>,
  ...[kind, route, method, path, extra = {}]: StepArgs
): Step {
  const headers = { ...auth, ...(extra.headers ?? {}) };
  const base = { kind, route, method, path, body: null, expect: [200], verify: null };
  return { ...base, observe: () => {}, ...extra, headers };
}

/** A single resource answers with its version as a strong ETag. */
export const HAS_ETAG: NonNullable<Step['verify']> = {
  name: 'resource has an ETag',
  ok: (_b, h) => /^"\d+"$/.test(h.etag ?? ''),
};

/** A draft invoice of 1–3 lines for `customerId`, issued today, due in 30 days. */
export function invoiceBody(customerId: string): object {
  const lines = Array.from({ length: int(1, 3) }, (_, i) => ({
    description: `Service ${i + 1}`,
    quantity: int(1, 4),
    unitAmount: int(10, 5000) * 100,
    taxRate: pick(TAX_RATES),
  }));
  return { customerId, currency: CURRENCY, issueDate: isoDay(), dueDate: isoDay(30), lines };
}

/**
 * A payment on an open invoice: most pay the whole balance, some a half, some overpay
 * (the rest becomes customer credit). `allocated` never exceeds the balance.
 */
export function paymentBody(o: Open): { allocated: number; body: object } {
  const r = Math.random();
  const allocated = r < 0.3 ? Math.max(1, Math.floor(o.balance / 2)) : o.balance;
  const amount = r > 0.85 ? allocated + 500 : allocated;
  const method = pick(['bank_transfer', 'card', 'check']);
  const allocations = [{ invoiceId: o.id, amount: allocated }];
  return {
    allocated,
    body: {
      customerId: o.customerId,
      amount,
      currency: CURRENCY,
      date: isoDay(),
      method,
      allocations,
    },
  };
}
