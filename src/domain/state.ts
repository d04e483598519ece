/**
 * Aggregate state: what one stream's events fold into. States are plain JSON (snapshots are
 * `JSON.stringify(state)`), and `evolve` is pure: folding a stream's events in order from
 * `undefined` always gives the same state.
 */
import { evolveAccount, type AccountState } from './accounts/account';
import type { DomainEvent, EventsFor } from './events';
import { evolveInvoice, type InvoiceState } from './invoices/invoice';
import { evolveJournal, type JournalState } from './journal/journal';
import { evolveParty, type PartyState } from './parties/party';
import { evolvePayment, type PaymentState } from './payments/payment';
import { evolveSettings, type SettingsState } from './settings/settings';

/** State of any stream, tagged by `kind`. */
export type AggregateState =
  | AccountState
  | JournalState
  | InvoiceState
  | PaymentState
  | PartyState<'customer'>
  | PartyState<'vendor'>
  | SettingsState;

/** Aggregate kinds (`customer` and `vendor` share the `PartyState` shape). */
export type AggregateKind = AggregateState['kind'];

/** The state type of one kind. */
export type StateOf<K extends AggregateKind> = Extract<AggregateState, { kind: K }>;

/** Kinds that live in `${kind}:${id}` streams (everything but settings). */
export type EntityKind = Exclude<AggregateKind, 'settings'>;

/** Id prefix per entity kind, as passed to `ctx.newId`. */
export const ID_PREFIXES: Readonly<Record<EntityKind, string>> = {
  account: 'acc',
  journal: 'je',
  invoice: 'inv',
  payment: 'pay',
  customer: 'cus',
  vendor: 'ven',
};

/** The stream an entity lives in: `${kind}:${id}`. */
export function streamIdOf(kind: EntityKind, id: string): string {
  return `${kind}:${id}`;
}

function as<K extends AggregateKind>(
  state: AggregateState | undefined,
  kinds: readonly K[],
  event: DomainEvent,
): StateOf<K> | undefined {
  if (state === undefined) return undefined;
  if (!(kinds as readonly string[]).includes(state.kind)) {
    throw new Error(`${event.type} cannot apply to a ${state.kind} stream`);
  }
  return state as StateOf<K>;
}

function hasPrefix<P extends string>(event: DomainEvent, prefix: P): event is EventsFor<P> {
  return event.type.startsWith(`${prefix}.`);
}

/**
 * Folds one event into a stream's state. Events are facts, so an event that does not fit
 * (wrong stream, missing creation event) means a corrupt stream: it throws rather than guess.
 */
export function evolve(state: AggregateState | undefined, event: DomainEvent): AggregateState {
  if (hasPrefix(event, 'account')) return evolveAccount(as(state, ['account'], event), event);
  if (hasPrefix(event, 'journal')) return evolveJournal(as(state, ['journal'], event), event);
  if (hasPrefix(event, 'invoice')) return evolveInvoice(as(state, ['invoice'], event), event);
  if (hasPrefix(event, 'payment')) return evolvePayment(as(state, ['payment'], event), event);
  if (hasPrefix(event, 'customer'))
    return evolveParty('customer', as(state, ['customer'], event), event);
  if (hasPrefix(event, 'vendor')) return evolveParty('vendor', as(state, ['vendor'], event), event);
  if (hasPrefix(event, 'tenant') || hasPrefix(event, 'settings')) {
    return evolveSettings(as(state, ['settings'], event), event);
  }
  throw new Error(`unknown event type ${(event as { type: string }).type}`);
}

/** Folds a whole stream from scratch. */
export function replay(events: readonly DomainEvent[]): AggregateState | undefined {
  return events.reduce<AggregateState | undefined>(
    (state, event) => evolve(state, event),
    undefined,
  );
}
