// `projection`: how fast the ledger's alarm drains a backlog of events into the Postgres read
// models. The database is cut (bridge paused) while mixed books are seeded, so the events wait
// in the outbox; then it is restored, one command wakes the alarm, and we time until
// `projectionStatus()` reports projectedPosition == position.
import { performance } from 'node:perf_hooks';
import { plain, round } from './load.mjs';

const TIMEOUT_MS = 180_000;
const POLL_MS = 20;
export const TARGET_EVENTS_PER_SEC = 2000;

export async function benchProjection(ctx, { quick, log }) {
  const events = quick ? 2000 : 5000;
  const tenant = `bench-projection-${Date.now().toString(36)}`;
  const w = await ctx.worker({ seeder: true });
  let paused = false;
  try {
    await ctx.db.pause();
    paused = true;
    const t = performance.now();
    const seeded = await w.seed('mixed', { tenantId: tenant, events, concurrency: 4 });
    const seedSeconds = (performance.now() - t) / 1000;
    log(
      `  seeded ${seeded.events} events (${seeded.rounds} × customer, invoice, issue, payment) in ${seedSeconds.toFixed(1)} s with the database cut`,
    );

    const stub = await w.ledger(tenant);
    const status = async () => plain(await stub.projectionStatus());
    const before = await status();
    if (before.projectedPosition !== 0)
      log(`  note: ${before.projectedPosition} events were projected before the cut`);

    await ctx.db.resume();
    paused = false;
    const started = performance.now();
    // Any accepted command schedules the alarm now (the cut left it in backoff).
    const wake = plain(
      await stub.execute({
        tenantId: tenant,
        command: { type: 'customer.create', data: { name: 'Wake', email: 'wake@example.com' } },
        actor: 'bench',
        requestId: 'bench-wake',
      }),
    );
    if (!wake.ok) throw new Error(`wake-up command refused: ${JSON.stringify(wake.error)}`);
    const target = wake.position;
    const backlog = target - before.projectedPosition;
    let last = before;
    let firstProgressMs = null;
    const progress = [];
    for (;;) {
      last = await status();
      const ms = performance.now() - started;
      if (firstProgressMs === null && last.projectedPosition > before.projectedPosition)
        firstProgressMs = ms;
      if (
        progress.length === 0 ||
        progress[progress.length - 1].projected !== last.projectedPosition
      )
        progress.push({ ms: Math.round(ms), projected: last.projectedPosition });
      if (last.projectedPosition >= target) break;
      const limit = Math.min(TIMEOUT_MS, Math.max(15_000, ctx.timeLeftMs?.() ?? TIMEOUT_MS));
      if (ms > limit)
        throw new Error(
          `projection did not catch up within ${Math.round(limit / 1000)} s: ${JSON.stringify(last)}`,
        );
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const seconds = (performance.now() - started) / 1000;
    const eventsPerSec = round(backlog / seconds, 0);
    // Without the wake-up (alarm start, first connection): from the first visible batch on.
    const first = progress.find((p) => p.projected > before.projectedPosition);
    const steadyPerSec =
      first && seconds * 1000 > first.ms
        ? round((target - first.projected) / (seconds - first.ms / 1000), 0)
        : null;
    log(
      `  drained ${backlog} events in ${seconds.toFixed(2)} s = ${eventsPerSec} events/s (first batch visible after ${Math.round(firstProgressMs)} ms; ${steadyPerSec ?? '–'} events/s from then on)`,
    );
    return {
      database: ctx.db.backend,
      seeded: {
        ...seeded,
        seconds: round(seedSeconds, 2),
        eventsPerSec: round(seeded.events / seedSeconds, 0),
      },
      backlog,
      seconds: round(seconds, 2),
      eventsPerSec,
      steadyPerSec,
      firstBatchMs: round(firstProgressMs, 0),
      progress,
      final: last,
      workerLogs: { counts: w.logs.counts },
      targets: [
        {
          name: `≥ ${TARGET_EVENTS_PER_SEC} events/s projected`,
          value: `${eventsPerSec} events/s`,
          pass: eventsPerSec >= TARGET_EVENTS_PER_SEC,
        },
      ],
    };
  } finally {
    if (paused) await ctx.db.resume().catch(() => {});
    await w.dispose();
  }
}
