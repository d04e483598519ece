/**
 * Tenant-scoped transactions. Every read-model query of the application runs inside one:
 * the transaction switches to the `finance_app` role (row-level security applies to it,
 * FORCEd on every table) and sets `app.tenant_id` for this transaction only, so the
 * policies admit exactly that tenant's rows. Both settings end with the transaction, so a
 * pooled connection never carries one tenant's scope into another's work.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './db';

/** The transaction handle drizzle passes to `db.transaction` callbacks. */
export type TenantTx = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * How long Postgres keeps one of these transactions open with nothing sent: longer than any
 * pause between our statements (milliseconds), so it only ends sessions whose client went
 * away without closing its socket (a request torn down mid-transaction under overload left
 * such sessions holding connections until Postgres refused new ones; docs/performance.md).
 */
export const IDLE_IN_TRANSACTION_LIMIT = '30s';

/** The role the application acts as inside tenant transactions (see migration 0002). */
export const APP_ROLE = 'finance_app';

/** Runs `work` in a transaction that can see and write only `tenantId`'s rows. */
export async function withTenant<T>(
  db: Database,
  tenantId: string,
  work: (tx: TenantTx) => Promise<T>,
  options?: { readOnly?: boolean },
): Promise<T> {
  if (!tenantId) throw new Error('withTenant needs a tenant id');
  return db.transaction(async (tx) => {
    // One round trip: set_config(..., true) is transaction-local, like SET LOCAL. Parallel
    // plans are switched off too: for these short per-tenant queries they mostly add
    // variance (the dashboard's p95 halved without them on PostgreSQL 15). A transaction
    // left idle by a vanished client ends after IDLE_IN_TRANSACTION_LIMIT.
    await tx.execute(
      sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('role', ${APP_ROLE}, true), set_config('max_parallel_workers_per_gather', '0', true), set_config('idle_in_transaction_session_timeout', ${IDLE_IN_TRANSACTION_LIMIT}, true)`,
    );
    return work(tx);
  }, options?.readOnly ? { accessMode: 'read only' } : undefined);
}

/**
 * A read in a tenant transaction that answers before the transaction's COMMIT round trip:
 * `answer` settles once `work` has its result, `ended` once the transaction is over (commit or
 * rollback; never rejects). The transaction is READ ONLY, so Postgres refuses any write in it
 * and the answer cannot depend on the commit. Under load one round trip is a large share of a
 * cache build (docs/performance.md); the caller keeps its client open
 * until `ended`.
 */
export function readAsTenant<T>(db: Database, tenantId: string, work: (tx: TenantTx) => Promise<T>): { answer: Promise<T>; ended: Promise<void> } {
  let answered!: (value: T) => void;
  const early = new Promise<T>((resolve) => {
    answered = resolve;
  });
  const tx = withTenant(db, tenantId, async (t) => {
    const value = await work(t);
    answered(value);
    return value;
  }, { readOnly: true });
  return { answer: Promise.race([early, tx]), ended: tx.then(() => undefined, () => undefined) };
}
