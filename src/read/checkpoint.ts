/**
 * The read model's own word on what it holds: the tenant's projection checkpoint, written in
 * the same transaction as the rows (src/read/projection-store.ts). A read that claims a
 * position checks it in its own snapshot, so it never answers for a position whose rows
 * Postgres lost (a restore, a reset, a new branch) while the ledger still remembers having
 * delivered them.
 */
import { eq } from 'drizzle-orm';
import { projectionCheckpoints } from './schema';
import type { TenantTx } from './tenant-tx';

/** The tenant's checkpoint (0 when Postgres has none: a new or reset read model). */
export async function readCheckpoint(tx: TenantTx, tenantId: string): Promise<number> {
  const [row] = await tx
    .select({ position: projectionCheckpoints.position })
    .from(projectionCheckpoints)
    .where(eq(projectionCheckpoints.tenantId, tenantId));
  return row?.position ?? 0;
}

/** The read model holds less than the position a read was to answer at. */
export class ReadModelRegressedError extends Error {
  override name = 'ReadModelRegressedError';
  constructor(
    readonly checkpoint: number,
    readonly claimed: number,
  ) {
    super(`read model checkpoint ${checkpoint} is behind position ${claimed}`);
  }
}
