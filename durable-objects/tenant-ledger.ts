/**
 * One tenant's books: an append-only event log with snapshots in SQLite storage.
 * Chosen by `idFromName(tenantId)` where the tenant comes from the verified token.
 */
import { DurableObject } from 'cloudflare:workers';

export interface LedgerInfo {
  position: number;
}

export class TenantLedger extends DurableObject<Env> {
  private position = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.migrate();
      const row = this.ctx.storage.sql.exec<{ p: number | null }>('SELECT max(position) AS p FROM events').one();
      this.position = row.p ?? 0;
    });
  }

  private migrate(): void {
    this.ctx.storage.sql.exec(`
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
      )`);
  }

  /** The tenant's ledger position (last appended event), 0 for an empty ledger. */
  async info(): Promise<LedgerInfo> {
    return { position: this.position };
  }
}
