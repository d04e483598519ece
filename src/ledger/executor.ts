/**
 * Executes one command against the tenant's store: idempotency check → optimistic
 * concurrency check → (first command: open the books) → decide → append, snapshot,
 * indexes, outbox, stored response — all inside one `transactionSync`. Everything is
 * decided before the first write, so a refused command writes nothing at all.
 */
import {
  decide,
  evolve,
  indexEntries,
  initializeTenant,
  SETTINGS_STREAM,
  toView,
  type DecideContext,
  type PendingEvent,
} from '../domain';
import type {
  ExecuteAccepted,
  ExecuteRequest,
  ExecuteResponse,
  JsonObject,
  RecordedEvent,
} from './contract';
import type { EventStore, StreamState } from './store';
import { familiesMoved } from '../read/families';

/**
 * Sortable, unguessable ids: `${prefix}_` + 9 base-36 time chars + 16 random base-32 chars
 * (80 bits; 5 bits per byte, so every character is equally likely).
 */
export function newId(prefix: string): string {
  const time = Date.now().toString(36).padStart(9, '0');
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let rand = '';
  for (const b of bytes) rand += (b & 31).toString(32);
  return `${prefix}_${time}${rand}`;
}

interface Pending {
  states: Map<string, StreamState>;
  events: RecordedEvent[];
}

export interface ExecuteDeps {
  store: EventStore;
  storage: DurableObjectStorage;
  position: number;
  now?: () => Date;
}

/** Runs the command; returns the response and the ledger position after it. */
export function executeCommand(deps: ExecuteDeps, req: ExecuteRequest): ExecuteResponse {
  const { store, storage } = deps;
  const at = (deps.now?.() ?? new Date()).toISOString();

  if (req.idempotencyKey) {
    const prior = storage.sql
      .exec<{ request_hash: string; response: string }>(
        'SELECT request_hash, response FROM idempotency WHERE key = ?',
        req.idempotencyKey,
      )
      .toArray()[0];
    if (prior) {
      if (prior.request_hash !== (req.requestHash ?? '')) {
        return {
          ok: false,
          position: deps.position,
          error: {
            kind: 'idempotency',
            code: 'idempotency_key_reused',
            message: 'This Idempotency-Key was already used with a different request.',
          },
        };
      }
      return { ...(JSON.parse(prior.response) as ExecuteAccepted), replayed: true };
    }
  }

  if (req.expectedVersion !== undefined && req.targetStreamId) {
    const current = store.version(req.targetStreamId);
    if (current !== req.expectedVersion) {
      return {
        ok: false,
        position: deps.position,
        error: {
          kind: 'precondition_failed',
          code: 'version_mismatch',
          message: `The resource is at version ${current}, not ${req.expectedVersion}.`,
          currentVersion: current,
        },
      };
    }
  }

  // Decide against a working overlay: pending states shadow the store until commit.
  const pending: Pending = { states: new Map(), events: [] };
  let position = deps.position;
  const load = (streamId: string) => pending.states.get(streamId) ?? store.load(streamId);
  const keys = new Map<string, string | null>();
  const ctx: DecideContext = {
    load: (streamId) => load(streamId)?.state,
    lookup: (index, key) => {
      const k = `${index}\u0000${key}`;
      return keys.has(k) ? (keys.get(k) ?? undefined) : store.lookup(index, key);
    },
    now: at,
    newId,
  };
  const stage = (events: readonly PendingEvent[]) => {
    for (const p of events) {
      const prev = load(p.streamId);
      const next = { state: evolve(prev?.state, p.event), version: (prev?.version ?? 0) + 1 };
      pending.states.set(p.streamId, next);
      position += 1;
      pending.events.push({
        ...p.event,
        position,
        tenantId: req.tenantId,
        streamId: p.streamId,
        version: next.version,
        at,
        actor: req.actor,
        requestId: req.requestId,
      } as RecordedEvent);
      for (const entry of indexEntries(p))
        keys.set(`${entry.index}\u0000${entry.key}`, entry.remove ? null : entry.streamId);
    }
  };

  if (store.version(SETTINGS_STREAM) === 0) stage(initializeTenant(ctx));
  const decision = decide(req.command, ctx);
  if (!decision.ok) return { ok: false, error: decision.error, position: deps.position };
  const createdBefore = load(decision.streamId) === undefined;
  stage(decision.events);

  const primary = pending.states.get(decision.streamId) ?? store.load(decision.streamId);
  if (!primary)
    throw new Error(`decision named stream ${decision.streamId} but produced no state for it`);
  const response: ExecuteAccepted = {
    ok: true,
    status: createdBefore ? 201 : 200,
    streamId: decision.streamId,
    resource: toView(primary.state) as JsonObject,
    version: primary.version,
    position,
    replayed: false,
    families: familiesMoved(pending.events),
  };

  storage.transactionSync(() => {
    for (const e of pending.events) {
      const state = pending.states.get(e.streamId);
      // Snapshot rows need the state as of *this* event's version, so re-fold when a stream
      // got several events in one command and one of them lands on a snapshot boundary.
      store.appendRow(e, () =>
        state && state.version === e.version ? state.state : stateAt(store, pending, e),
      );
      for (const entry of indexEntries({ streamId: e.streamId, event: e }))
        store.setKey(entry.index, entry.key, entry.streamId, entry.remove === true);
    }
    if (req.idempotencyKey) {
      storage.sql.exec(
        'INSERT INTO idempotency (key, request_hash, response, created_at) VALUES (?, ?, ?, ?)',
        req.idempotencyKey,
        req.requestHash ?? '',
        JSON.stringify(response),
        Date.now(),
      );
    }
  });
  for (const [streamId, s] of pending.states) store.remember(streamId, s);
  return response;
}

/** State of `e.streamId` right after event `e` (only needed on snapshot boundaries). */
function stateAt(store: EventStore, pending: Pending, e: RecordedEvent) {
  let s = store.load(e.streamId);
  for (const p of pending.events) {
    if (p.streamId !== e.streamId) continue;
    s = { state: evolve(s?.state, p), version: p.version };
    if (p.position === e.position) break;
  }
  if (!s) throw new Error('no state to snapshot');
  return s.state;
}
