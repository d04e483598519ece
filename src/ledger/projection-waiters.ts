/**
 * Reads waiting in the ledger for its projection to commit a position (`readModelVersion`
 * with a wait): the consistent read path without polling. Each waiter is settled as soon as
 * a delivered batch covers its position, when the drain fails (the projection is failing:
 * the read answers STALE or 503 at once instead of waiting out its time), or when its time
 * is up. Settling only resolves a promise; the caller reads the facts afresh.
 */
interface Waiter {
  position: number;
  done: () => void;
}

export class ProjectionWaiters {
  private waiters: Waiter[] = [];

  get pending(): number {
    return this.waiters.length;
  }

  /** Resolves when `settle` reaches `position`, `releaseAll` runs, or after `maxWaitMs`. */
  wait(position: number, maxWaitMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        position,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      }, maxWaitMs);
      this.waiters.push(waiter);
    });
  }

  /** The projection has committed `projected`: releases every waiter at or below it. */
  settle(projected: number): void {
    const due = this.waiters.filter((w) => w.position <= projected);
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > projected);
    for (const w of due) w.done();
  }

  /** Releases everyone (the drain failed, or nothing more will be delivered soon). */
  releaseAll(): void {
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) w.done();
  }
}
