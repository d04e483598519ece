/** Account aggregate state and how its events change it. */
import type { AccountRecord, EventsFor } from '../events';

/**
 * An account in the chart. `childIds` lists every account whose parent this is (active or
 * not); the ledger context cannot enumerate streams, so the parent keeps the list itself.
 */
export interface AccountState extends AccountRecord {
  kind: 'account';
  active: boolean;
  childIds: string[];
}

/** Normalized unique key for an account code (codes are unique case-insensitively). */
export function accountCodeKey(code: string): string {
  return code.trim().toUpperCase();
}

/** Applies one `account.*` event. Throws when the event does not fit (corrupt stream). */
export function evolveAccount(
  state: AccountState | undefined,
  event: EventsFor<'account'>,
): AccountState {
  if (event.type === 'account.created') {
    if (state !== undefined) throw new Error('account.created on an existing stream');
    const { id, code, name, type, parentId, description } = event.data;
    return {
      kind: 'account',
      id,
      code,
      name,
      type,
      parentId,
      description,
      active: true,
      childIds: [],
    };
  }
  if (state === undefined) throw new Error(`${event.type} before account.created`);
  switch (event.type) {
    case 'account.updated': {
      const { code, name, parentId, description } = event.data;
      return { ...state, code, name, parentId, description };
    }
    case 'account.deactivated':
      return { ...state, active: false };
    case 'account.child_attached':
      return state.childIds.includes(event.data.childId)
        ? state
        : { ...state, childIds: [...state.childIds, event.data.childId] };
    case 'account.child_detached':
      return { ...state, childIds: state.childIds.filter((id) => id !== event.data.childId) };
  }
}
