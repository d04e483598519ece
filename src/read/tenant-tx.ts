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

/** Read-only tenant transactions are REPEATABLE READ: a checkpoint read first (src/read/checkpoint.ts) vouches for the rows read after it. */
const READ_ONLY = { accessMode: 'read only', isolationLevel: 'repeatable read' } as const;

/** Scopes the open transaction `tx` to `tenantId`, then runs `work` in it. */
async function scoped<T>(
  tx: TenantTx,
  tenantId: string,
  work: (tx: TenantTx) => Promise<T>,
): Promise<T> {
  // One round trip: set_config(..., true) is transaction-local, like SET LOCAL. Parallel
  // plans are switched off too: for these short per-tenant queries they mostly add
  // variance (the dashboard's p95 halved without them on PostgreSQL 15). A transaction
  // left idle by a vanished client ends after IDLE_IN_TRANSACTION_LIMIT.
  await tx.execute(
    sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('role', ${APP_ROLE}, true), set_config('max_parallel_workers_per_gather', '0', true), set_config('idle_in_transaction_session_timeout', ${IDLE_IN_TRANSACTION_LIMIT}, true)`,
  );
  return work(tx);
}

/**
 * Runs `work` in a transaction that can see and write only `tenantId`'s rows. A read-only one
 * is REPEATABLE READ: all its statements see one snapshot.
 */
export async function withTenant<T>(
  db: Database,
  tenantId: string,
  work: (tx: TenantTx) => Promise<T>,
  options?: { readOnly?: boolean },
): Promise<T> {
  if (!tenantId) throw new Error('withTenant needs a tenant id');
  return db.transaction(
    (tx) => scoped(tx, tenantId, work),
    options?.readOnly ? READ_ONLY : undefined,
  );
}

/**
 * A read in a tenant transaction that answers before the transaction's COMMIT round trip:
 * `answer` settles once `work` has its result, `ended` once the transaction is over (commit or
 * rollback; never rejects). The transaction is READ ONLY, so Postgres refuses any write in it
 * and the answer cannot depend on the commit. Under load one round trip is a large share of a
 * cache build (docs/performance.md); the caller keeps its client open
 * until `ended`. A failure is answered at once as well, before the ROLLBACK: on a frozen
 * connection that would be a second deadline.
 */
export function readAsTenant<T>(
  db: Database,
  tenantId: string,
  work: (tx: TenantTx) => Promise<T>,
): { answer: Promise<T>; ended: Promise<void> } {
  if (!tenantId) throw new Error('readAsTenant needs a tenant id');
  let answered!: (value: T) => void;
  let failed!: (err: unknown) => void;
  const early = new Promise<T>((resolve, reject) => {
    answered = resolve;
    failed = reject;
  });
  early.catch(() => {});
  const tx = db.transaction(async (t) => {
    try {
      const value = await scoped(t, tenantId, work);
      answered(value);
      return value;
    } catch (err) {
      failed(err);
      throw err;
    }
  }, READ_ONLY);
  return {
    answer: Promise.race([early, tx]),
    ended: tx.then(
      () => undefined,
      () => undefined,
    ),
  };
}
