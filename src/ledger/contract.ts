/**
 * The contract between the Worker and the `TenantLedger` Durable Object (typed RPC), and the
 * envelope of a recorded event that the event feed and the Postgres projection consume.
 * Plain types only: no Cloudflare, Hono or drizzle imports.
 */
import type { Command, DomainError } from '../domain';
import type { RecordedEvent } from '../domain/recorded';
import type { Family, FamilyVersions } from '../read/families';

/**
 * A resource view as it crosses the RPC boundary. Not `Record<string, unknown>` (the RPC
 * type mapping turns `unknown` into `never`) and not a recursive JSON type (too deep for
 * the mapping): one level of named fields, nested values typed loosely as `object`.
 */
export type JsonObject = { [key: string]: string | number | boolean | null | object };

/** Largest page of the event feed and of a resource's history. */
export const MAX_EVENTS_PAGE = 500;

export type { RecordedEvent } from '../domain/recorded';

/** One command with its metadata, as the route sends it to the ledger. */
export interface ExecuteRequest {
  tenantId: string;
  command: Command;
  actor: string;
  requestId: string;
  /** `Idempotency-Key`, scoped to the tenant. */
  idempotencyKey?: string;
  /** Fingerprint of the request (method, route, body) the key was used with. */
  requestHash?: string;
  /** From `If-Match`: the version the client last saw of the command's target stream. */
  expectedVersion?: number;
  /** The stream `expectedVersion` refers to (the resource in the URL). */
  targetStreamId?: string;
}

/** What the ledger answers for an accepted command (also what an idempotent replay returns). */
export interface ExecuteAccepted {
  ok: true;
  /** 201 when the command created its primary resource, else 200. */
  status: 200 | 201;
  streamId: string;
  /** The primary resource's view after the command. */
  resource: JsonObject;
  /** Version of `streamId` (the ETag). */
  version: number;
  /** Ledger position after the command (`X-Ledger-Position`). */
  position: number;
  replayed: boolean;
  /**
   * The read families the command's events move (src/read/families.ts): the cached reads its
   * writer must see it in (src/ledger/session-positions.ts). Absent from a ledger of an older
   * release, and from replays of answers it stored: then every family.
   */
  families?: Family[];
}

/** Refusals the ledger adds to the domain's own. */
export type LedgerError =
  | DomainError
  | {
      kind: 'precondition_failed';
      code: 'version_mismatch';
      message: string;
      currentVersion: number;
    }
  | {
      kind: 'idempotency';
      code: 'idempotency_key_reused' | 'idempotency_key_in_flight';
      message: string;
    };

export interface ExecuteRefused {
  ok: false;
  error: LedgerError;
  position: number;
}

export type ExecuteResponse = ExecuteAccepted | ExecuteRefused;

/** A resource read straight from the ledger. */
export interface ReadResponse {
  resource: JsonObject;
  streamId: string;
  version: number;
  position: number;
}

/** A page of the tenant's event feed. */
export interface EventsPage {
  events: RecordedEvent[];
  /** The ledger's latest position at the time of the read. */
  position: number;
  hasMore: boolean;
}

/** A page of one stream's history, oldest first: the audit trail of one resource. */
export interface HistoryPage {
  events: RecordedEvent[];
  /** The stream's current version; 0 when the tenant has no such stream. */
  version: number;
  /** The ledger's latest position at the time of the read. */
  position: number;
  hasMore: boolean;
}

/**
 * The read model's version as the cache learns it (src/cache/read-version.ts): the position
 * the Postgres projection has committed, and whether its last attempt to deliver failed (then
 * the read model is behind the ledger until Postgres is back).
 */
export interface ReadModelVersion {
  version: number;
  /** The ledger's own position: a client's `X-Min-Position` beyond it names no write (400). */
  position?: number;
  failing: boolean;
  /**
   * While `failing`: when the oldest write the read model has not received was written (epoch
   * ms), else null. Optional: a ledger of an older release does not say.
   */
  behindSince?: number | null;
  /** Per read family, the last projected position that moved it (src/read/families.ts); each at most `version`. */
  families: FamilyVersions;
  /**
   * Set by a ledger that honours `readModelVersion`'s wait (this release on): the answer came
   * when the projection had committed the asked position, or when waiting could not reach it
   * (the wait ran out, the projection failed or is being rebuilt). Absent from a ledger of an
   * older release during a rollout: the Worker then polls it as before.
   */
  waited?: boolean;
}

/** Projection progress, for /ready-style diagnostics and tests. */
export interface ProjectionStatus {
  position: number;
  projectedPosition: number;
  outboxDepth: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  /** The read model's own checkpoint at the ledger's last check of it (null before the first; src/ledger/read-model-check.ts). */
  readModelCheckpoint: number | null;
}

/** What an operator action on the projection did (`rebuildReadModel`, `replayOutbox`). */
export type OperatorOutcome =
  | { ok: true; requeued: number; status: ProjectionStatus }
  /** `empty`: the tenant has no events; `busy`: a drain or rebuild is running, try again shortly. */
  | { ok: false; reason: 'empty' | 'busy' };
