/** Setting up a new tenant's books. */
import type { DecideContext } from '../context';
import { pending } from '../context';
import { DEFAULT_ACCOUNT_CODES, DEFAULT_CHART } from './default-chart';
import type { DefaultAccountKey, DefaultAccounts, PendingEvent } from '../events';
import { SETTINGS_STREAM } from './settings';
import { streamIdOf } from '../state';

/**
 * The events that open a tenant's books: `account.created` for every `DEFAULT_CHART` entry
 * (plus `account.child_attached` on parents), then `tenant.initialized` on `settings` with
 * no lock date and the default account mapping. The ledger appends them in the same
 * transaction as the tenant's first command, before deciding it. Only `newId` is used.
 */
export function initializeTenant(ctx: Pick<DecideContext, 'newId'>): PendingEvent[] {
  const idsByCode = new Map<string, string>();
  const events: PendingEvent[] = [];
  for (const entry of DEFAULT_CHART) {
    const id = ctx.newId('acc');
    idsByCode.set(entry.code, id);
    const parentId = entry.parentCode === null ? null : (idsByCode.get(entry.parentCode) ?? null);
    const { code, name, type, description } = entry;
    events.push(
      pending(streamIdOf('account', id), {
        type: 'account.created',
        data: { id, code, name, type, parentId, description },
      }),
    );
    if (parentId !== null) {
      events.push(
        pending(streamIdOf('account', parentId), {
          type: 'account.child_attached',
          data: { id: parentId, childId: id },
        }),
      );
    }
  }
  const accountFor = (key: DefaultAccountKey): string => {
    const id = idsByCode.get(DEFAULT_ACCOUNT_CODES[key]);
    if (id === undefined) throw new Error(`default chart lacks the ${key} account`);
    return id;
  };
  const accounts: DefaultAccounts = {
    receivable: accountFor('receivable'),
    revenue: accountFor('revenue'),
    taxPayable: accountFor('taxPayable'),
    cash: accountFor('cash'),
    unappliedPayments: accountFor('unappliedPayments'),
  };
  events.push(
    pending(SETTINGS_STREAM, { type: 'tenant.initialized', data: { lockDate: null, accounts } }),
  );
  return events;
}
