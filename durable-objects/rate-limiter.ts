/**
 * One shard of the rate limiter: the sliding-window counters of the keys that hash to it
 * (`idFromName(\`${kind}:${hash(key) % RATE_LIMIT_SHARDS}\`)`, see src/rate-limit/client.ts).
 * The algorithm and why it was chosen: src/rate-limit/sliding-window.ts.
 *
 * State lives in memory: an LRU of at most MAX_KEYS keys. An idle Durable Object is evicted
 * after a minute or two and forgets its memory; for windows of a minute or less that loses
 * nothing that still counts, but a 15-minute IP window would be reset by a client that
 * pauses. So buckets with windows longer than PERSIST_AFTER_MS are written through to SQLite
 * (one row per key) and read back on a miss; an alarm deletes rows that no longer count.
 * A refused request writes nothing (a refund that came with it is kept).
 */
import { DurableObject } from 'cloudflare:workers';
import {
  decideLease,
  freshState,
  isIdle,
  type BucketCheck,
  type Refund,
  type Verdict,
  type WindowState,
} from '../src/rate-limit/sliding-window';

const MAX_KEYS = 50_000;
const PERSIST_AFTER_MS = 60_000;

export class RateLimiter extends DurableObject<Env> {
  private readonly memory = new Map<string, WindowState>();
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS buckets (
        key TEXT PRIMARY KEY, window_ms INTEGER NOT NULL, start INTEGER NOT NULL,
        prev_count INTEGER NOT NULL, cur_count INTEGER NOT NULL, expires_at INTEGER NOT NULL)`);
      ctx.storage.sql.exec('CREATE INDEX IF NOT EXISTS buckets_expiry ON buckets (expires_at)');
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /**
   * Grants up to `want` requests at once (a lease the calling isolate spends locally; see
   * src/rate-limit/client.ts): as many as every bucket still allows, counted in all of them.
   * `granted` 0 means refused, and the verdicts say until when. `back` returns the unspent
   * rest of an expired lease first, so every request is counted exactly once. Synchronous
   * from read to write, so concurrent calls cannot interleave.
   */
  async lease(
    checks: BucketCheck[],
    want = 1,
    back?: Refund,
  ): Promise<{ granted: number; verdicts: Verdict[] }> {
    const now = Date.now();
    const states = checks.map((c) => this.load(c, now));
    const { granted, verdicts, store } = decideLease(
      states,
      checks.map((c) => c.limit),
      now,
      want,
      back,
    );
    if (store) checks.forEach((c, i) => this.store(c, store[i] ?? freshState(c.windowMs, now)));
    return { granted, verdicts };
  }

  /** Deletes persisted buckets that no longer weigh on any decision. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.ctx.storage.sql.exec('DELETE FROM buckets WHERE expires_at <= ?', now);
    const next = this.ctx.storage.sql
      .exec<{ at: number | null }>('SELECT MIN(expires_at) AS at FROM buckets')
      .one().at;
    this.alarmAt = null;
    if (next !== null) await this.schedule(next);
  }

  private load(check: BucketCheck, now: number): WindowState {
    let state = this.memory.get(check.key);
    if (!state && check.windowMs > PERSIST_AFTER_MS) state = this.read(check.key);
    // A changed window (new configuration) starts the key afresh.
    if (!state || state.windowMs !== check.windowMs || isIdle(state, now))
      return freshState(check.windowMs, now);
    return state;
  }

  private store(check: BucketCheck, state: WindowState): void {
    this.memory.delete(check.key); // re-insert: Map order is the LRU order
    this.memory.set(check.key, state);
    if (this.memory.size > MAX_KEYS) {
      const oldest = this.memory.keys().next().value;
      if (oldest !== undefined) this.memory.delete(oldest);
    }
    if (check.windowMs <= PERSIST_AFTER_MS) return;
    const expiresAt = state.start + 2 * state.windowMs;
    this.ctx.storage.sql.exec(
      `INSERT INTO buckets (key, window_ms, start, prev_count, cur_count, expires_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET window_ms = excluded.window_ms, start = excluded.start,
         prev_count = excluded.prev_count, cur_count = excluded.cur_count, expires_at = excluded.expires_at`,
      check.key,
      state.windowMs,
      state.start,
      state.prevCount,
      state.curCount,
      expiresAt,
    );
    // One pending alarm is enough: it sweeps everything expired by then and re-arms itself.
    if (this.alarmAt === null) void this.schedule(expiresAt);
  }

  private read(key: string): WindowState | undefined {
    const row = this.ctx.storage.sql
      .exec<{ window_ms: number; start: number; prev_count: number; cur_count: number }>(
        'SELECT window_ms, start, prev_count, cur_count FROM buckets WHERE key = ?',
        key,
      )
      .toArray()[0];
    return (
      row && {
        windowMs: row.window_ms,
        start: row.start,
        prevCount: row.prev_count,
        curCount: row.cur_count,
      }
    );
  }

  private async schedule(at: number): Promise<void> {
    this.alarmAt = at;
    try {
      await this.ctx.storage.setAlarm(at);
    } catch {
      this.alarmAt = null; // retried on the next write; rows only wait longer to be swept
    }
  }
}
