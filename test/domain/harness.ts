/**
 * An in-memory stand-in for the TenantLedger Durable Object: it initializes the tenant,
 * decides commands, appends events with tenant-wide positions, folds them with `evolve`,
 * maintains unique indexes from `indexEntries`, and checks that every event and state
 * survives a JSON round trip unchanged (what snapshots and outbox rows rely on).
 */
import {
  decide,
  evolve,
  indexEntries,
  initializeTenant,
  type AggregateState,
  type Command,
  type DecideContext,
  type DecideResult,
  type DomainEvent,
  type PendingEvent,
} from '../../src/domain/index';

/** One appended event with its envelope position. */
export interface StoredEvent {
  position: number;
  streamId: string;
  event: DomainEvent;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Plain JSON only: no undefined, BigInt, Date, Map, NaN or class instances anywhere. */
function assertJsonSafe(label: string, value: unknown, path = '$'): void {
  const bad = (why: string): never => {
    throw new Error(`${label}: ${path} ${why}`);
  };
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) bad('is not a finite number');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertJsonSafe(label, item, `${path}[${i}]`));
    return;
  }
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) bad(`is not plain JSON`);
  for (const [key, item] of Object.entries(value as object)) assertJsonSafe(label, item, `${path}.${key}`);
}

/** The fake ledger. */
export class Ledger {
  readonly streams = new Map<string, AggregateState>();
  readonly log: StoredEvent[] = [];
  readonly index = new Map<string, string>();
  now: string;
  private readonly counters = new Map<string, number>();

  constructor(now = '2024-06-15T12:00:00.000Z') {
    this.now = now;
    this.append(initializeTenant(this.context()));
  }

  /** The DecideContext the DO would pass; loaded states are frozen to catch mutation. */
  context(): DecideContext {
    return {
      load: (streamId) => this.streams.get(streamId),
      lookup: (index, key) => this.index.get(`${index}:${key}`),
      now: this.now,
      newId: (prefix) => {
        const next = (this.counters.get(prefix) ?? 0) + 1;
        this.counters.set(prefix, next);
        return `${prefix}_${String(next).padStart(4, '0')}`;
      },
    };
  }

  /** Decides and, when accepted, appends. */
  run(command: Command): DecideResult {
    const result = decide(command, this.context());
    if (result.ok) this.append(result.events);
    return result;
  }

  /** Runs a command that must succeed; returns the primary resource's state. */
  ok<K extends AggregateState['kind']>(command: Command, kind?: K): Extract<AggregateState, { kind: K }> {
    const result = this.run(command);
    if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
    const state = this.streams.get(result.streamId);
    if (state === undefined || (kind !== undefined && state.kind !== kind)) throw new Error('no primary state');
    return state as Extract<AggregateState, { kind: K }>;
  }

  /** Appends events like the DO transaction: evolve, index, JSON checks. */
  append(events: readonly PendingEvent[]): void {
    for (const pending of events) {
      assertJsonSafe(pending.event.type, pending.event);
      const next = evolve(this.streams.get(pending.streamId), pending.event);
      assertJsonSafe(`state of ${pending.streamId}`, next);
      this.streams.set(pending.streamId, deepFreeze(next));
      for (const entry of indexEntries(pending)) {
        const key = `${entry.index}:${entry.key}`;
        if (entry.remove === true) this.index.delete(key);
        else if (this.index.has(key) && this.index.get(key) !== entry.streamId) throw new Error(`duplicate ${key}`);
        else this.index.set(key, entry.streamId);
      }
      this.log.push({ position: this.log.length + 1, streamId: pending.streamId, event: pending.event });
    }
  }

  /** Rebuilds every stream from the log alone, from snapshot-free scratch. */
  replay(): Map<string, AggregateState> {
    const states = new Map<string, AggregateState>();
    for (const { streamId, event } of this.log) {
      const copy: unknown = JSON.parse(JSON.stringify(event));
      states.set(streamId, evolve(states.get(streamId), copy as DomainEvent));
    }
    return states;
  }

  /** Typed state lookup by stream id. */
  get<K extends AggregateState['kind']>(streamId: string, kind: K): Extract<AggregateState, { kind: K }> {
    const state = this.streams.get(streamId);
    if (state === undefined || state.kind !== kind) throw new Error(`no ${kind} at ${streamId}`);
    return state as Extract<AggregateState, { kind: K }>;
  }

  /** Account id of a code in the chart. */
  account(code: string): string {
    const streamId = this.index.get(`account.code:${code.toUpperCase()}`);
    if (streamId === undefined) throw new Error(`no account ${code}`);
    return this.get(streamId, 'account').id;
  }

  /** All events of one type, in log order. */
  eventsOf<T extends DomainEvent['type']>(type: T): Extract<DomainEvent, { type: T }>[] {
    return this.log.map((e) => e.event).filter((e): e is Extract<DomainEvent, { type: T }> => e.type === type);
  }
}
