/** The tenant-wide `settings` stream: lock date and the system's default accounts. */
import type { DefaultAccounts, EventsFor } from '../events';

/** Stream id of the singleton settings stream. */
export const SETTINGS_STREAM = 'settings';

/**
 * Tenant settings. Nothing dated on or before `lockDate` can be posted; the lock may be
 * moved either way (closing a period, or reopening it to correct a mistake).
 */
export interface SettingsState {
  kind: 'settings';
  lockDate: string | null;
  accounts: DefaultAccounts;
}

/** Applies `tenant.initialized` / `settings.updated`. */
export function evolveSettings(
  state: SettingsState | undefined,
  event: EventsFor<'tenant'> | EventsFor<'settings'>,
): SettingsState {
  if (event.type === 'tenant.initialized' && state !== undefined) {
    throw new Error('tenant.initialized twice');
  }
  if (event.type === 'settings.updated' && state === undefined) {
    throw new Error('settings.updated before tenant.initialized');
  }
  return { kind: 'settings', lockDate: event.data.lockDate, accounts: { ...event.data.accounts } };
}
