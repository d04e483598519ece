/** The resource kinds the API exposes: their stream ids, URLs and not-found answers. */
import type { EntityKind } from '../domain/state';
import { AppError } from '../errors';

/** URL collection per entity kind. */
export const COLLECTIONS: Readonly<Record<EntityKind, string>> = {
  account: 'accounts',
  journal: 'journal-entries',
  invoice: 'invoices',
  payment: 'payments',
  customer: 'customers',
  vendor: 'vendors',
};

/** The URL of the resource living in `streamId` (`invoice:inv_1` → `/v1/invoices/inv_1`). */
export function locationOf(streamId: string): string | undefined {
  const at = streamId.indexOf(':');
  const collection = COLLECTIONS[streamId.slice(0, at) as EntityKind] as string | undefined;
  return at > 0 && collection
    ? `/v1/${collection}/${encodeURIComponent(streamId.slice(at + 1))}`
    : undefined;
}

/** The 404 for a missing (or malformed, or other tenant's) resource, worded like the domain's. */
export function notFound(kind: EntityKind | 'settings'): AppError {
  const noun = kind === 'journal' ? 'journal entry' : kind;
  return new AppError({
    status: 404,
    code: `${kind}_not_found`,
    title: 'Not found',
    detail: `The ${noun} does not exist.`,
  });
}
