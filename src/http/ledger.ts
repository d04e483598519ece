/** The caller's `TenantLedger`, chosen by the tenant of the verified token only. */
import type { AppContext } from '../env';
import type { EventsPage, ExecuteRequest, ExecuteResponse, HistoryPage, ReadModelVersion, ReadResponse } from '../ledger/contract';

/** The ledger's RPC surface the routes use (see `src/ledger/contract.ts`). */
export interface LedgerRpc {
  execute(req: ExecuteRequest): Promise<ExecuteResponse>;
  read(streamId: string): Promise<ReadResponse | null>;
  events(after: number, limit: number): Promise<EventsPage>;
  history(streamId: string, after: number, limit: number): Promise<HistoryPage>;
  info(): Promise<{ position: number }>;
  readModelVersion(minPosition?: number): Promise<ReadModelVersion>;
  /** Has the ledger check the read model's checkpoint now (a read found it behind). */
  checkReadModel(): Promise<void>;
}

/** The stub of the principal's tenant ledger (`idFromName(tenantId)`). */
export function ledgerOf(c: AppContext): LedgerRpc {
  const ns = c.env.TENANT_LEDGER;
  return ns.get(ns.idFromName(c.get('principal').tenantId));
}
