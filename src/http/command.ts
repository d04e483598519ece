/**
 * Sends one command to the caller's ledger and shapes the outcome: accepted → the resource
 * with `ETag`, `X-Ledger-Position`, `Location` (on 201) and `Idempotent-Replayed`; refused →
 * the problem from `refusals.ts`, thrown for the error boundary to answer.
 */
import { routePath } from 'hono/route';
import type { Command } from '../domain/commands';
import type { AppContext } from '../env';
import { IF_MATCH } from '../schemas/common';
import { ledgerOf } from './ledger';
import { refusalProblem } from './refusals';
import { requestHash } from './request-hash';
import { locationOf } from './resources';

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
export async function runCommand<T>(c: AppContext, command: Command, target: CommandTarget = {}): Promise<T> {
  const principal = c.get('principal');
  const key = c.req.header('Idempotency-Key');
  const id = 'id' in command.data && typeof command.data.id === 'string' ? command.data.id : '';
  const version = target.streamId === undefined ? undefined : expectedVersion(c.req.header('If-Match'));
  const result = await ledgerOf(c).execute({
    tenantId: principal.tenantId,
    command,
    actor: principal.subject,
    requestId: c.get('requestId'),
    ...(key === undefined
      ? {}
      : { idempotencyKey: key, requestHash: await requestHash(c.req.method, routePath(c), id, target.body ?? {}) }),
    ...(version === undefined ? {} : { expectedVersion: version, targetStreamId: target.streamId }),
  });
  if (!result.ok) throw refusalProblem(result);
  c.header('ETag', `"${result.version}"`);
  c.header('X-Ledger-Position', String(result.position));
  if (result.replayed) c.header('Idempotent-Replayed', 'true');
  const location = result.status === 201 ? locationOf(result.streamId) : undefined;
  if (location !== undefined) c.header('Location', location);
  return result.resource as T;
}
