/**
 * Which part of an event a principal may see, the one rule for the feed (`GET /v1/events`)
 * and the live stream. `audit:read` sees the whole envelope; `books:read` alone sees the
 * events without who did them and under which request (`actor`, `requestId`): those are the
 * audit trail, which src/auth/permissions.ts keeps behind `audit:read`.
 */
import type { Permission } from '../../auth/permissions';
import type { RecordedEvent } from '../contract';
import type { VisibleEvent } from './protocol';

/** True when `permissions` may see the full envelope. */
export const seesAuditFields = (permissions: readonly Permission[]): boolean =>
  permissions.includes('audit:read');

/** The event as a principal with (`full`) or without `audit:read` may see it. */
export function visibleEvent(e: RecordedEvent, full: boolean): VisibleEvent {
  if (full) return e;
  const { actor: _actor, requestId: _requestId, ...rest } = e;
  return rest;
}
