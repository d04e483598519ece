/** Decision for `settings.update`. */
import { Checker } from '../checker';
import type { SettingsUpdateInput } from '../commands';
import {
  checkAccountRef,
  pending,
  requireSettings,
  type DecideContext,
  type Decision,
} from '../context';
import type { AccountType, DefaultAccountKey, DefaultAccounts } from '../events';
import { SETTINGS_STREAM } from './settings';

/** The account type each default mapping requires. */
export const DEFAULT_ACCOUNT_TYPES: Readonly<Record<DefaultAccountKey, AccountType>> = {
  receivable: 'asset',
  cash: 'asset',
  revenue: 'revenue',
  taxPayable: 'liability',
  unappliedPayments: 'liability',
};

/**
 * Moves the lock date (either way: closing a period, or reopening it to fix a mistake;
 * `null` unlocks everything) and/or remaps default accounts to active accounts of the right
 * type. Documents already issued keep the accounts they were posted with.
 */
export function updateSettings(data: SettingsUpdateInput, ctx: DecideContext): Decision {
  const current = requireSettings(ctx);
  const c = new Checker();
  const lockDate =
    data.lockDate === undefined
      ? current.lockDate
      : data.lockDate === null
        ? null
        : c.date('lockDate', data.lockDate);
  const accounts: DefaultAccounts = { ...current.accounts };
  const changes = data.accounts ?? {};
  if (typeof changes !== 'object' || changes === null)
    c.add('accounts', 'validation_failed', 'must be an object');
  for (const key of Object.keys(DEFAULT_ACCOUNT_TYPES) as DefaultAccountKey[]) {
    const value = (changes as Partial<DefaultAccounts>)[key];
    if (value === undefined) continue;
    const id = c.id(`accounts.${key}`, value);
    if (id !== '') checkAccountRef(c, ctx, `accounts.${key}`, id, DEFAULT_ACCOUNT_TYPES[key]);
    accounts[key] = id;
  }
  c.done();
  return {
    events: [pending(SETTINGS_STREAM, { type: 'settings.updated', data: { lockDate, accounts } })],
    streamId: SETTINGS_STREAM,
  };
}
