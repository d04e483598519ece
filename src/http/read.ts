/** Single-resource reads straight from the caller's ledger (strongly consistent). */
import type { EntityKind } from '../domain/state';
import type { AppContext } from '../env';
import { ledgerOf } from './ledger';
import { notFound } from './resources';

/** Reads `streamId`; sets `ETag` and `X-Ledger-Position`; 404 `<kind>_not_found` if absent. */
export async function readResource<T>(c: AppContext, kind: EntityKind | 'settings', streamId: string): Promise<T> {
  const found = await ledgerOf(c).read(streamId);
  if (found === null) throw notFound(kind);
  c.header('ETag', `"${found.version}"`);
  c.header('X-Ledger-Position', String(found.position));
  c.header('Cache-Control', 'private, no-cache');
  return found.resource as T;
}
