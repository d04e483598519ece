/**
 * Per-request batched loads of master data (DataLoader). Every `load` made in the same tick
 * is answered by ONE query per entity type (`where id = any($1)`), so a page of 100
 * invoices with `?expand=customer` costs one customer query however many rows it has.
 * Create the loaders inside the request's `withTenant` transaction and drop them with it:
 * their cache is the request's, and the tenant scope is the transaction's (row-level security).
 */
import DataLoader from 'dataloader';
import { partiesById, type PartyTable } from './queries/parties';
import type { PartyView } from './queries/views';
import { customers, vendors } from './schema';
import type { TenantTx } from './tenant-tx';

/** The request's loaders; a missing id loads as null. */
export interface Loaders {
  customers: DataLoader<string, PartyView | null>;
  vendors: DataLoader<string, PartyView | null>;
}

/** Ids per query; a page holds at most 100 rows, so one batch per page in practice. */
const MAX_BATCH = 500;

function partyLoader(
  tx: TenantTx,
  table: PartyTable,
  batch: boolean,
): DataLoader<string, PartyView | null> {
  return new DataLoader<string, PartyView | null>(
    async (ids) => {
      const byId = new Map((await partiesById(tx, table, ids)).map((p) => [p.id, p]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { maxBatchSize: MAX_BATCH, batch },
  );
}

/** Fresh loaders bound to one tenant transaction; `batch: false` = one query per id (the bench's N+1 baseline). */
export function createLoaders(tx: TenantTx, { batch = true }: { batch?: boolean } = {}): Loaders {
  return { customers: partyLoader(tx, customers, batch), vendors: partyLoader(tx, vendors, batch) };
}

/** `items` with their customer embedded as `customer` (null when it does not exist). */
export async function expandCustomers<T extends { customerId: string }>(
  items: readonly T[],
  loaders: Pick<Loaders, 'customers'>,
): Promise<(T & { customer: PartyView | null })[]> {
  const found = await loaders.customers.loadMany(items.map((i) => i.customerId));
  return items.map((item, i) => {
    const customer = found[i];
    if (customer instanceof Error) throw customer;
    return { ...item, customer: customer ?? null };
  });
}
