/** The envelope the ledger stores around each domain event (the feed and the projection read it). */
import type { DomainEvent } from './events';

/** An event as the ledger stored it: the domain event plus its envelope. */
export type RecordedEvent = DomainEvent & {
  /** Tenant-wide, gap-free, strictly increasing from 1. */
  position: number;
  tenantId: string;
  streamId: string;
  /** Version of `streamId` after this event (1 for the first). */
  version: number;
  /** ISO timestamp of the command that produced it. */
  at: string;
  /** Token `sub` of the caller. */
  actor: string;
  requestId: string;
};
