/** Customer and vendor aggregates: the same shape, told apart by `kind`. */
import type { EventsFor, PartyRecord } from '../events';

/** Which kind of party. */
export type PartyKind = 'customer' | 'vendor';

/** A customer (`PartyState<'customer'>`) or vendor (`PartyState<'vendor'>`). */
export interface PartyState<K extends PartyKind = PartyKind> extends PartyRecord {
  kind: K;
  active: boolean;
}

/** Applies one `customer.*` or `vendor.*` event of the given kind. Throws when it does not fit. */
export function evolveParty<K extends PartyKind>(
  kind: K,
  state: PartyState<K> | undefined,
  event: EventsFor<K>,
): PartyState<K> {
  const action = event.type.slice(kind.length + 1);
  if (action === 'created') {
    if (state !== undefined) throw new Error(`${event.type} on an existing stream`);
  } else if (state === undefined) {
    throw new Error(`${event.type} before ${kind}.created`);
  }
  if (state !== undefined && action === 'deactivated') return { ...state, active: false };
  const { id, name, email, taxId, defaultCurrency } = event.data as PartyRecord;
  return { kind, id, name, email, taxId, defaultCurrency, active: state?.active ?? true };
}
