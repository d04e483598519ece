/** Decisions for customers and vendors (`customer.*`, `vendor.*`): the same rules for both. */
import { Checker } from '../checker';
import type { IdInput, PartyCreateInput, PartyUpdateInput } from '../commands';
import { pending, requireEntity, type DecideContext, type Decision } from '../context';
import { refuse } from '../errors';
import type { PartyRecord } from '../events';
import type { PartyKind } from './party';
import { ID_PREFIXES, streamIdOf } from '../state';

type PartyFields = Omit<PartyRecord, 'id'>;

/** Validates a create body (`current` null) or an update merged over `current`. */
function checkFields(data: Partial<PartyCreateInput>, current: PartyFields | null): PartyFields {
  const c = new Checker();
  const keep = <K extends keyof PartyFields>(key: K): boolean =>
    data[key] === undefined && current !== null;
  const name = keep('name') && current ? current.name : c.text('name', data.name, 200);
  const email = keep('email') && current ? current.email : c.email('email', data.email);
  const taxId = keep('taxId') && current ? current.taxId : c.optText('taxId', data.taxId, 50);
  const rawCurrency = data.defaultCurrency;
  const defaultCurrency =
    keep('defaultCurrency') && current
      ? current.defaultCurrency
      : rawCurrency === undefined || rawCurrency === null
        ? null
        : c.currency('defaultCurrency', rawCurrency);
  c.done();
  return { name, email, taxId, defaultCurrency };
}

/** Creates a customer or vendor: name 1..200 chars; optional e-mail, tax id, currency. */
export function createParty(kind: PartyKind, data: PartyCreateInput, ctx: DecideContext): Decision {
  const fields = checkFields(data, null);
  const id = ctx.newId(ID_PREFIXES[kind]);
  const streamId = streamIdOf(kind, id);
  return {
    events: [pending(streamId, { type: `${kind}.created`, data: { id, ...fields } })],
    streamId,
  };
}

/** Updates given fields (`null` clears an optional one). Inactive records stay editable. */
export function updateParty(kind: PartyKind, data: PartyUpdateInput, ctx: DecideContext): Decision {
  const party = requireEntity(ctx, kind, data.id);
  const fields = checkFields(data, party);
  const streamId = streamIdOf(kind, party.id);
  return {
    events: [pending(streamId, { type: `${kind}.updated`, data: { id: party.id, ...fields } })],
    streamId,
  };
}

/** Deactivates: no new invoices or payments may reference it; history is untouched. */
export function deactivateParty(kind: PartyKind, data: IdInput, ctx: DecideContext): Decision {
  const party = requireEntity(ctx, kind, data.id);
  if (!party.active)
    refuse('conflict', `${kind}_already_inactive`, `The ${kind} is already inactive.`);
  const streamId = streamIdOf(kind, party.id);
  return {
    events: [pending(streamId, { type: `${kind}.deactivated`, data: { id: party.id } })],
    streamId,
  };
}
