/**
 * The projection's Postgres client, kept open between drains: a Durable Object, unlike a
 * Worker request, may use a connection across its events, so a write's drain skips the
 * connect, which is on the path of the writer's next read. Closed after `idleMs` without
 * use (`idle()` starts that clock) and at once by `close()` (after a failed drain: the next
 * attempt connects afresh).
 */
import type { Config } from '../env';
import type { DbClient } from '../read/db';
import { projectionClient } from './outbox';

export class KeptConnection {
  private client: DbClient | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly idleMs: number) {}

  /** The open client, or a new one; stops the idle clock. */
  get(config: Config): DbClient {
    clearTimeout(this.timer);
    this.client ??= projectionClient(config);
    return this.client;
  }

  /** Not in use any more: closed after `idleMs` unless used again. */
  idle(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.close(), this.idleMs);
  }

  close(): void {
    clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    if (client) void client.close();
  }
}
