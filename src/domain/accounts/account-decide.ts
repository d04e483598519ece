/** Decisions for `account.create`, `account.update` and `account.deactivate`. */
import { accountCodeKey, type AccountState } from './account';
import { Checker } from '../checker';
import type { AccountCreateInput, AccountUpdateInput, IdInput } from '../commands';
import {
  loadEntity,
  pending,
  requireEntity,
  requireSettings,
  type DecideContext,
  type Decision,
} from '../context';
import { refuse, refuseField } from '../errors';
import { ACCOUNT_TYPES, type AccountType, type PendingEvent } from '../events';
import { streamIdOf } from '../state';

/** Codes: 1–20 letters, digits, `.`, `-` or `_`, starting with a letter or digit. */
const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$/;

function checkCode(c: Checker, value: unknown): string {
  const code = c.text('code', value, 20);
  if (code !== '' && !CODE_PATTERN.test(code)) {
    c.add('code', 'validation_failed', 'may contain only letters, digits, ".", "-" and "_"');
  }
  return code;
}

function ensureCodeFree(ctx: DecideContext, code: string, ownStream: string | null): void {
  const owner = ctx.lookup('account.code', accountCodeKey(code));
  if (owner !== undefined && owner !== ownStream) {
    refuse('conflict', 'account_code_taken', `An account with code ${code} already exists.`, [
      { path: 'code', message: 'is already used by another account' },
    ]);
  }
}

/**
 * A parent must exist, be active, have the same type, and must not be the account itself or
 * one of its descendants (walking the parent's ancestors must never reach `selfId`).
 */
function checkParent(
  ctx: DecideContext,
  parentId: string,
  type: AccountType,
  selfId: string | null,
): void {
  const parent = loadEntity(ctx, 'account', parentId);
  if (parent === undefined)
    refuseField('parent_reference_invalid', 'parentId', 'parent account does not exist');
  if (!parent.active) refuseField('parent_inactive', 'parentId', 'parent account is inactive');
  if (parent.type !== type) {
    refuseField('parent_type_mismatch', 'parentId', `parent account must be of type ${type}`);
  }
  const seen = new Set<string>();
  for (let at: AccountState | undefined = parent; at !== undefined;) {
    if (at.id === selfId || seen.has(at.id)) {
      refuseField(
        'account_cycle',
        'parentId',
        'an account cannot be placed under itself or its sub-accounts',
      );
    }
    seen.add(at.id);
    at = at.parentId === null ? undefined : loadEntity(ctx, 'account', at.parentId);
  }
}

function childLink(parentId: string, childId: string, attach: boolean): PendingEvent {
  const type = attach ? 'account.child_attached' : 'account.child_detached';
  return pending(streamIdOf('account', parentId), { type, data: { id: parentId, childId } });
}

/** Creates an account; the code must be unique (case-insensitively) within the tenant. */
export function createAccount(data: AccountCreateInput, ctx: DecideContext): Decision {
  const c = new Checker();
  const code = checkCode(c, data.code);
  const name = c.text('name', data.name, 200);
  const type = c.choice('type', data.type, ACCOUNT_TYPES);
  const parentId = c.optId('parentId', data.parentId);
  const description = c.optText('description', data.description, 200);
  c.done();
  if (parentId !== null) checkParent(ctx, parentId, type, null);
  ensureCodeFree(ctx, code, null);
  const id = ctx.newId('acc');
  const streamId = streamIdOf('account', id);
  const events = [
    pending(streamId, {
      type: 'account.created',
      data: { id, code, name, type, parentId, description },
    }),
  ];
  if (parentId !== null) events.push(childLink(parentId, id, true));
  return { events, streamId };
}

/** Renames, re-codes or re-parents an account (its type is fixed). */
export function updateAccount(data: AccountUpdateInput, ctx: DecideContext): Decision {
  const account = requireEntity(ctx, 'account', data.id);
  const c = new Checker();
  const code = data.code === undefined ? account.code : checkCode(c, data.code);
  const name = data.name === undefined ? account.name : c.text('name', data.name, 200);
  const parentId =
    data.parentId === undefined ? account.parentId : c.optId('parentId', data.parentId);
  const description =
    data.description === undefined
      ? account.description
      : c.optText('description', data.description, 200);
  c.done();
  const streamId = streamIdOf('account', account.id);
  // Only a new parent is checked: keeping a parent that was deactivated later stays allowed.
  if (parentId !== null && parentId !== account.parentId)
    checkParent(ctx, parentId, account.type, account.id);
  if (accountCodeKey(code) !== accountCodeKey(account.code)) ensureCodeFree(ctx, code, streamId);
  const record = {
    id: account.id,
    code,
    name,
    type: account.type,
    parentId,
    description,
    previousCode: account.code,
  };
  const events = [pending(streamId, { type: 'account.updated', data: record })];
  if (parentId !== account.parentId) {
    if (account.parentId !== null) events.push(childLink(account.parentId, account.id, false));
    if (parentId !== null) events.push(childLink(parentId, account.id, true));
  }
  return { events, streamId };
}

/**
 * Deactivates an account: it can no longer receive postings or be referenced. Refused
 * while settings map a system posting to it or while it has active sub-accounts.
 */
export function deactivateAccount(data: IdInput, ctx: DecideContext): Decision {
  const account = requireEntity(ctx, 'account', data.id);
  if (!account.active)
    refuse('conflict', 'account_already_inactive', 'The account is already inactive.');
  const settings = requireSettings(ctx);
  if (Object.values(settings.accounts).includes(account.id)) {
    refuse(
      'conflict',
      'account_in_use',
      'The account is a default account in settings; map another account first.',
    );
  }
  const activeChild = account.childIds.some(
    (id) => loadEntity(ctx, 'account', id)?.active === true,
  );
  if (activeChild) {
    refuse(
      'conflict',
      'account_has_active_children',
      'The account has active sub-accounts; deactivate them first.',
    );
  }
  const streamId = streamIdOf('account', account.id);
  return {
    events: [pending(streamId, { type: 'account.deactivated', data: { id: account.id } })],
    streamId,
  };
}
