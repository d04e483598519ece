/**
 * The tenant's SQLite event store inside the Durable Object: append-only events, the
 * current version per stream, the latest snapshot per stream, unique-key indexes, the
 * projection outbox and idempotency records. All SQL uses bound parameters.
 * Streams are loaded lazily (latest snapshot + later events) and kept in an LRU cache.
 */
import { evolve, type AggregateState, type DomainEvent, type IndexName } from '../domain';
import type { RecordedEvent } from './contract';

/** A stream is snapshotted every this many events. */
export const SNAPSHOT_EVERY = 50;
/** Streams kept in memory; the rest are reloaded from snapshot + tail on demand. */
export const CACHE_STREAMS = 10_000;

const SCHEMA_VERSION = 1;

export interface StreamState {
  state: AggregateState;
  version: number;
}

type EventRow = {
  position: number;
  stream_id: string;
  version: number;
  type: string;
  data: string;
  at: string;
  actor: string;
  request_id: string;
};

function toRecorded(tenantId: string, r: EventRow): RecordedEvent {
  return {
    position: r.position,
    tenantId,
    streamId: r.stream_id,
    version: r.version,
    type: r.type,
    data: JSON.parse(r.data),
    at: r.at,
    actor: r.actor,
    requestId: r.request_id,
  } as RecordedEvent;
}

export class EventStore {
  private readonly cache = new Map<string, StreamState>();

  constructor(private readonly sql: SqlStorage) {}

  /** Creates or upgrades the schema; runs inside blockConcurrencyWhile at startup. */
  migrate(): void {
    // PRAGMA user_version is not allowed in Durable Object SQLite: the version lives in meta.
    this.sql.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    if (Number(this.getMeta('schema_version') ?? '0') >= SCHEMA_VERSION) return;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS events (
        position INTEGER PRIMARY KEY,
        stream_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        request_id TEXT NOT NULL,
        UNIQUE (stream_id, version)
      );
      CREATE TABLE IF NOT EXISTS streams (stream_id TEXT PRIMARY KEY, version INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS snapshots (stream_id TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS unique_keys (idx TEXT NOT NULL, key TEXT NOT NULL, stream_id TEXT NOT NULL, PRIMARY KEY (idx, key));
      CREATE TABLE IF NOT EXISTS outbox (position INTEGER PRIMARY KEY);
      CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, response TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency (created_at);
    `);
    this.setMeta('schema_version', String(SCHEMA_VERSION));
  }

  /** The last appended position (0 for an empty ledger). */
  lastPosition(): number {
    return (
      this.sql.exec<{ p: number | null }>('SELECT max(position) AS p FROM events').one().p ?? 0
    );
  }

  version(streamId: string): number {
    const cached = this.cache.get(streamId);
    if (cached) return cached.version;
    const rows = this.sql
      .exec<{ version: number }>('SELECT version FROM streams WHERE stream_id = ?', streamId)
      .toArray();
    return rows[0]?.version ?? 0;
  }

  /** Current state of a stream: memory, else latest snapshot plus the events after it. */
  load(streamId: string): StreamState | undefined {
    const cached = this.cache.get(streamId);
    if (cached) {
      // Refresh recency: Map iteration order is insertion order, so re-insert at the end.
      this.cache.delete(streamId);
      this.cache.set(streamId, cached);
      return cached;
    }
    const loaded = this.loadFromStorage(streamId, true);
    if (loaded) this.remember(streamId, loaded);
    return loaded;
  }

  /** Reads a stream from storage; `useSnapshot: false` replays every event (benchmarks, tests). */
  loadFromStorage(streamId: string, useSnapshot: boolean): StreamState | undefined {
    let state: AggregateState | undefined;
    let version = 0;
    if (useSnapshot) {
      const snap = this.sql
        .exec<{ version: number; state: string }>(
          'SELECT version, state FROM snapshots WHERE stream_id = ?',
          streamId,
        )
        .toArray()[0];
      if (snap) {
        state = JSON.parse(snap.state) as AggregateState;
        version = snap.version;
      }
    }
    const tail = this.sql.exec<{ version: number; data: string; type: string }>(
      'SELECT version, type, data FROM events WHERE stream_id = ? AND version > ? ORDER BY version',
      streamId,
      version,
    );
    for (const row of tail) {
      state = evolve(state, { type: row.type, data: JSON.parse(row.data) } as DomainEvent);
      version = row.version;
    }
    return state === undefined ? undefined : { state, version };
  }

  lookup(index: IndexName, key: string): string | undefined {
    const rows = this.sql
      .exec<{ stream_id: string }>(
        'SELECT stream_id FROM unique_keys WHERE idx = ? AND key = ?',
        index,
        key,
      )
      .toArray();
    return rows[0]?.stream_id;
  }

  /** Writes one event and everything that follows from it. Call inside transactionSync. */
  appendRow(e: RecordedEvent, stateAfter: () => AggregateState): void {
    this.sql.exec(
      'INSERT INTO events (position, stream_id, version, type, data, at, actor, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      e.position,
      e.streamId,
      e.version,
      e.type,
      JSON.stringify(e.data),
      e.at,
      e.actor,
      e.requestId,
    );
    this.sql.exec(
      'INSERT INTO streams (stream_id, version) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version',
      e.streamId,
      e.version,
    );
    if (e.version % SNAPSHOT_EVERY === 0) {
      this.sql.exec(
        'INSERT INTO snapshots (stream_id, version, state) VALUES (?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, state = excluded.state',
        e.streamId,
        e.version,
        JSON.stringify(stateAfter()),
      );
    }
    this.sql.exec('INSERT INTO outbox (position) VALUES (?)', e.position);
  }

  setKey(index: IndexName, key: string, streamId: string, remove: boolean): void {
    if (remove)
      this.sql.exec(
        'DELETE FROM unique_keys WHERE idx = ? AND key = ? AND stream_id = ?',
        index,
        key,
        streamId,
      );
    else
      this.sql.exec(
        'INSERT INTO unique_keys (idx, key, stream_id) VALUES (?, ?, ?)',
        index,
        key,
        streamId,
      );
  }

  /** After a committed transaction: the new states become the cached ones. */
  remember(streamId: string, s: StreamState): void {
    this.cache.delete(streamId);
    this.cache.set(streamId, s);
    if (this.cache.size > CACHE_STREAMS) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  /** Events after a position, in order (the feed and the outbox drain). */
  eventsAfter(tenantId: string, after: number, limit: number): RecordedEvent[] {
    const rows = this.sql.exec<EventRow>(
      'SELECT position, stream_id, version, type, data, at, actor, request_id FROM events WHERE position > ? ORDER BY position LIMIT ?',
      after,
      limit,
    );
    return Array.from(rows, (r) => toRecorded(tenantId, r));
  }

  /** One stream's events after a position, in order (the audit trail of one resource). */
  streamEventsAfter(
    tenantId: string,
    streamId: string,
    after: number,
    limit: number,
  ): RecordedEvent[] {
    const rows = this.sql.exec<EventRow>(
      'SELECT position, stream_id, version, type, data, at, actor, request_id FROM events WHERE stream_id = ? AND position > ? ORDER BY position LIMIT ?',
      streamId,
      after,
      limit,
    );
    return Array.from(rows, (r) => toRecorded(tenantId, r));
  }

  getMeta(key: string): string | undefined {
    return this.sql
      .exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key)
      .toArray()[0]?.value;
  }

  deleteMeta(key: string): void {
    this.sql.exec('DELETE FROM meta WHERE key = ?', key);
  }

  setMeta(key: string, value: string): void {
    this.sql.exec(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      key,
      value,
    );
  }
}
