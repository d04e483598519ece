/**
 * The Worker's side of the ledger: the caller's `TenantLedger` stub (chosen by the tenant of
 * the verified token only), commands sent to it and shaped into HTTP answers (`runCommand`:
 * the resource with `ETag`, `X-Ledger-Position`, `Location` on 201 and `Idempotent-Replayed`;
 * a refusal becomes the problem from refusals.ts), and strongly consistent
 * single-resource reads straight from the log (`readResource`). Every acknowledged write is
 * remembered for its principal's later reads (session-positions.ts).
 */
import { routePath } from 'hono/route';
import type { Command } from '../domain/commands';
import type { EntityKind } from '../domain/state';
import type { AppContext } from '../env';
import { refusalProblem } from './refusals';
import { acknowledged } from './session-positions';
import { requestHash } from './request-hash';
import { locationOf, notFound } from '../http/resources';
import { IF_MATCH } from '../schemas/common';
import { timed, type Timings } from '../telemetry/timings';
import type {
  EventsPage,
  ExecuteRequest,
  ExecuteResponse,
  HistoryPage,
  ReadModelVersion,
  ReadResponse,
} from './contract';

/** The ledger's RPC surface the routes use (see `src/ledger/contract.ts`). */
export interface LedgerRpc {
  execute(req: ExecuteRequest): Promise<ExecuteResponse>;
  read(streamId: string): Promise<ReadResponse | null>;
  events(after: number, limit: number): Promise<EventsPage>;
  history(streamId: string, after: number, limit: number): Promise<HistoryPage>;
  info(): Promise<{ position: number }>;
  /**
   * The read model's version. With `waitMs`, a ledger of this release holds the answer until
   * its projection has committed `minPosition` (draining now), at most `waitMs`; while its
   * projection is failing, only if `duringOutage`.
   */
  readModelVersion(
    minPosition?: number,
    waitMs?: number,
    duringOutage?: boolean,
  ): Promise<ReadModelVersion>;
  /** Has the ledger check the read model's checkpoint now (a read found it behind). */
  checkReadModel(): Promise<void>;
}

/** The same calls, each one's time added to the request's `ledgerMs` (telemetry). */
function timedLedger(stub: LedgerRpc, t: Timings): LedgerRpc {
  return {
    execute: (req) => timed(t, 'ledgerMs', stub.execute(req)),
    read: (streamId) => timed(t, 'ledgerMs', stub.read(streamId)),
    events: (after, limit) => timed(t, 'ledgerMs', stub.events(after, limit)),
    history: (streamId, after, limit) => timed(t, 'ledgerMs', stub.history(streamId, after, limit)),
    info: () => timed(t, 'ledgerMs', stub.info()),
    readModelVersion: (minPosition, waitMs, duringOutage) =>
      timed(t, 'ledgerMs', stub.readModelVersion(minPosition, waitMs, duringOutage)),
    checkReadModel: () => timed(t, 'ledgerMs', stub.checkReadModel()),
  };
}

/** The stub of the principal's tenant ledger (`idFromName(tenantId)`), its calls timed for telemetry. */
export function ledgerOf(c: AppContext): LedgerRpc {
  const ns = c.env.TENANT_LEDGER;
  const stub: LedgerRpc = ns.get(ns.idFromName(c.get('principal').tenantId));
  const timings = c.get('timings');
  return timings ? timedLedger(stub, timings) : stub;
}

/** What the route knows beyond the command. */
export interface CommandTarget {
  /** The stream the URL names; `If-Match` applies to it. Omitted for creates. */
  streamId?: string;
  /** The validated body, for the idempotency fingerprint. */
  body?: unknown;
}

/** The version an `If-Match` asks for; undefined when absent or `*` (already validated). */
export function expectedVersion(header: string | undefined): number | undefined {
  const match = header === undefined ? null : IF_MATCH.exec(header.trim());
  const digits = match?.[1] ?? match?.[2];
  return digits === undefined ? undefined : Number(digits);
}

/** Runs `command`; resolves to the resource view or throws the refusal as an AppError. */
export async function runCommand<T>(
  c: AppContext,
  command: Command,
  target: CommandTarget = {},
): Promise<T> {
  const principal = c.get('principal');
  const key = c.req.header('Idempotency-Key');
  const id = 'id' in command.data && typeof command.data.id === 'string' ? command.data.id : '';
  const version =
    target.streamId === undefined ? undefined : expectedVersion(c.req.header('If-Match'));
  const result = await ledgerOf(c).execute({
    tenantId: principal.tenantId,
    command,
    actor: principal.subject,
    requestId: c.get('requestId'),
    ...(key === undefined
      ? {}
      : {
          idempotencyKey: key,
          requestHash: await requestHash(c.req.method, routePath(c), id, target.body ?? {}),
        }),
    ...(version === undefined ? {} : { expectedVersion: version, targetStreamId: target.streamId }),
  });
  if (!result.ok) throw refusalProblem(result);
  acknowledged(principal.tenantId, principal.subject, result.position, result.families);
  c.header('ETag', `"${result.version}"`);
  c.header('X-Ledger-Position', String(result.position));
  if (result.replayed) c.header('Idempotent-Replayed', 'true');
  const location = result.status === 201 ? locationOf(result.streamId) : undefined;
  if (location !== undefined) c.header('Location', location);
  return result.resource as T;
}

/** Reads `streamId`; sets `ETag` and `X-Ledger-Position`; 404 `<kind>_not_found` if absent. */
export async function readResource<T>(
  c: AppContext,
  kind: EntityKind | 'settings',
  streamId: string,
): Promise<T> {
  const found = await ledgerOf(c).read(streamId);
  if (found === null) throw notFound(kind);
  c.header('ETag', `"${found.version}"`);
  c.header('X-Ledger-Position', String(found.position));
  c.header('Cache-Control', 'private, no-cache');
  return found.resource as T;
}
