/** Settings of the live stream (docs/stream.md), spread into the configuration schema in src/env.ts. */
import { z } from 'zod';
import type { StreamLimits } from './handoff';

export const streamConfigShape = {
  /** Open sockets per user (subject within a tenant); the next upgrade is a 429. */
  STREAM_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Open sockets per tenant (one Durable Object holds them all). */
  STREAM_MAX_CONNECTIONS_PER_TENANT: z.coerce.number().int().min(1).max(32_000).default(2000),
  /** Events a socket may be ahead of its last ack; past it the socket is closed 4408. */
  STREAM_MAX_UNACKED: z.coerce.number().int().min(2).max(100_000).default(2000),
  /**
   * The most the object waits between two pushes of live events (ms): it waits 0.5 ms per open
   * socket up to this (src/ledger/stream/push.ts). The first event after a quiet spell goes out
   * at once; at a higher write rate the events of the wait go out together, so a tenant with
   * many sockets spends less time sending. 0 pushes after every command.
   */
  STREAM_PUSH_INTERVAL_MS: z.coerce.number().int().min(0).max(1000).default(50),
};

type StreamSettings = {
  [K in keyof typeof streamConfigShape]: z.infer<(typeof streamConfigShape)[K]>;
};

/** The limits a stream upgrade carries to the ledger, from the parsed configuration. */
export function streamLimits(c: StreamSettings): StreamLimits {
  return {
    perUser: c.STREAM_MAX_CONNECTIONS_PER_USER,
    perTenant: c.STREAM_MAX_CONNECTIONS_PER_TENANT,
    maxUnacked: c.STREAM_MAX_UNACKED,
  };
}
