// The `reads` section's inputs (reads.mjs): the read variants of its mix, and the one
// tenant's books it seeds through the ledger (seeder-worker.mjs `books`) and waits to see
// projected before any load.
import { performance } from 'node:perf_hooks';
import { waitProjected } from './commands.mjs';
import { round } from './load.mjs';

export const LIST = 'list';
const REPORT = 'report';

/** The read variants of the mix (`kind` list|report); `{c}` = one of the seeded customers. */
export function readVariants(customerId) {
  return [
    { kind: LIST, path: '/v1/invoices?expand=customer&limit=50' },
    { kind: LIST, path: '/v1/invoices?expand=customer&status=issued&limit=100' },
    { kind: LIST, path: `/v1/invoices?expand=customer&customerId=${customerId}` },
    { kind: LIST, path: '/v1/invoices?expand=customer&status=paid,partially_paid&limit=25' },
    { kind: LIST, path: '/v1/customers?limit=50' },
    { kind: LIST, path: '/v1/customers?active=true&limit=100' },
    { kind: LIST, path: '/v1/payments?limit=50' },
    { kind: LIST, path: '/v1/payments?expand=customer&limit=100' },
    { kind: REPORT, path: '/v1/reports/ar-aging' },
    { kind: REPORT, path: '/v1/reports/ar-aging?asOf=2026-06-30' },
    { kind: REPORT, path: '/v1/reports/trial-balance' },
    { kind: REPORT, path: '/v1/reports/trial-balance?asOf=2026-06-30' },
    { kind: REPORT, path: '/v1/reports/dashboard' },
  ];
}

/**
 * Seeds `tenant`'s books (50 customers, 2,000 invoices; 500 with `quick`) in the Durable Object
 * storage at `persistDir`, through a seeder Worker it disposes of, and waits for the
 * projection. Returns the customers' ids and what was seeded, for the results.
 */
export async function seedBooks(ctx, { persistDir, tenant, quick, log }) {
  const size = quick ? { customers: 50, invoices: 500 } : { customers: 50, invoices: 2000 };
  const w = await ctx.worker({ persistDir, seeder: true });
  try {
    const t = performance.now();
    const seeded = await w.seed('books', {
      tenantId: tenant,
      ...size,
      payEvery: 4,
      concurrency: 8,
    });
    const seedSeconds = (performance.now() - t) / 1000;
    const caught = await waitProjected(await w.ledger(tenant), quick ? 30_000 : 60_000);
    log(
      `  seeded ${size.customers} customers, ${seeded.invoices} issued invoices, ${seeded.payments} payments (${seeded.position} events) in ${seedSeconds.toFixed(1)} s; projection ${caught.ok ? `caught up ${caught.ms} ms later` : `NOT caught up: ${JSON.stringify(caught.status)}`}`,
    );
    return {
      customerIds: seeded.customerIds,
      seeding: {
        customers: size.customers,
        invoices: seeded.invoices,
        payments: seeded.payments,
        events: seeded.position,
        seconds: round(seedSeconds, 1),
        projectedAfterMs: caught.ms,
        projected: caught.ok,
      },
    };
  } finally {
    await w.dispose();
  }
}
