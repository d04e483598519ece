// `commands`: commands/s into ONE tenant through the Worker (`POST /v1/customers`, every
// request a new Idempotency-Key), against the no-dependency `GET /health` measured in the same
// run at the same concurrency as the ceiling of this machine + runtime + load generator.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { plain, round, runLoad } from './load.mjs';

export const COMMAND_BODY = JSON.stringify({ name: 'Bench Customer', email: 'b@example.com' });
export const CONCURRENCY = [1, 10, 100];
export const TARGET = { connections: 10, minRps: 500, maxP99Ms: 100 };

export async function benchCommands(ctx, { quick, log }) {
  const seconds = quick ? 2 : 8;
  const warmup = quick ? 0.5 : 1;
  const breakdownSeconds = quick ? 1.5 : 4;
  const tenant = `bench-commands-${Date.now().toString(36)}`;
  const token = await ctx.token(tenant);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const w = await ctx.worker({ seeder: true });
  try {
    // One command by hand first: a clear message when the route refuses, instead of a run of 4xx.
    const probe = await fetch(`${w.url}/v1/customers`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': randomUUID() },
      body: COMMAND_BODY,
    });
    const probeText = await probe.text();
    if (probe.status !== 201)
      throw new Error(`POST /v1/customers answered ${probe.status}: ${probeText.slice(0, 300)}`);

    const rows = [];
    for (const connections of CONCURRENCY) {
      const health = { url: w.url, connections, path: '/health' };
      const command = {
        url: w.url,
        connections,
        method: 'POST',
        path: '/v1/customers',
        headers,
        body: COMMAND_BODY,
        uniqueIdempotencyKey: true,
      };
      await runLoad({ ...health, seconds: warmup });
      const ceiling = await runLoad({ ...health, seconds });
      await runLoad({ ...command, seconds: warmup });
      const commands = await runLoad({ ...command, seconds });
      // Accepted commands only: a refused command is not throughput.
      const commandsPerSec = round(commands.ok2xx / commands.seconds, 0);
      const row = {
        connections,
        ceiling,
        commands,
        commandsPerSec,
        ratio: round(commandsPerSec / ceiling.rps, 3),
      };
      rows.push(row);
      log(
        `  ${String(connections).padStart(3)} conn: /health ${ceiling.rps} req/s p99 ${ceiling.latencyMs.p99} ms | ` +
          `POST /v1/customers ${commandsPerSec}/s p50 ${commands.latencyMs.p50} p95 ${commands.latencyMs.p95} p99 ${commands.latencyMs.p99} ms, ` +
          `non-2xx ${commands.non2xx}, errors ${commands.errors} | ratio ${row.ratio}`,
      );
    }

    // Where the time goes, at the target concurrency: each step adds one part of the write path.
    const customerId = JSON.parse(probeText).id;
    const auth = { authorization: `Bearer ${token}` };
    const steps = [
      { step: 'GET /health (no auth, no ledger)', load: { path: '/health' } },
      {
        step: 'authenticated 404 under /v1 (auth chain: JWT, rate limiter; no ledger)',
        load: { path: '/v1/bench-no-such-route', headers: auth },
        expect: 404,
      },
      {
        step: 'GET /v1/customers/:id (auth + ledger read RPC)',
        load: { path: `/v1/customers/${customerId}`, headers: auth },
      },
      {
        step: 'POST /v1/customers (auth + validation + ledger write)',
        load: {
          method: 'POST',
          path: '/v1/customers',
          headers,
          body: COMMAND_BODY,
          uniqueIdempotencyKey: true,
        },
      },
    ];
    const breakdown = await measureSteps(w.url, steps, breakdownSeconds);
    // The ledger alone: the same command through the DO's RPC from inside workerd, no HTTP.
    const rpcCount = quick ? 1000 : 4000;
    const t = performance.now();
    await w.seed('creates', {
      tenantId: `${tenant}-rpc`,
      count: rpcCount,
      concurrency: TARGET.connections,
    });
    const rpcSeconds = (performance.now() - t) / 1000;
    breakdown.push({
      step: `ledger execute RPC inside workerd (${TARGET.connections} in flight, no HTTP)`,
      rps: round(rpcCount / rpcSeconds, 0),
      p50: null,
      p99: null,
      unexpected: 0,
    });
    // The rate limiter's share: the same two authenticated steps with the per-user and
    // per-tenant limits off (a second Worker instance; its own, empty ledger).
    const noLimits = await ctx.worker({
      vars: { RATE_LIMIT_USER: 'off', RATE_LIMIT_TENANT: 'off' },
    });
    try {
      const rows = await measureSteps(
        noLimits.url,
        [
          { ...steps[1], step: `${steps[1].step.replace(/ \(.*/, '')} (rate limits off)` },
          { ...steps[3], step: `${steps[3].step.replace(/ \(.*/, '')} (rate limits off)` },
        ],
        breakdownSeconds,
      );
      breakdown.splice(2, 0, rows[0]);
      breakdown.splice(5, 0, rows[1]);
    } finally {
      await noLimits.dispose();
    }
    for (const b of breakdown)
      log(
        `  breakdown @${TARGET.connections}: ${b.step}: ${b.rps}/s p50 ${b.p50 ?? '–'} ms p99 ${b.p99 ?? '–'} ms`,
      );

    // The read model after the write load: how far behind, and how long it takes to catch up.
    const ledger = await w.ledger(tenant);
    const status = plain(await ledger.projectionStatus());
    const catchUp = await waitProjected(ledger, quick ? 15_000 : 45_000);
    log(
      `  read model after the load: ${status.position - status.projectedPosition} events behind (outbox ${status.outboxDepth}); ` +
        (catchUp.ok
          ? `caught up ${(catchUp.ms / 1000).toFixed(1)} s later`
          : `NOT caught up ${(catchUp.ms / 1000).toFixed(0)} s later: ${JSON.stringify(catchUp.status)}`),
    );
    const at = rows.find((r) => r.connections === TARGET.connections);
    const targets = [
      {
        name: `≥ ${TARGET.minRps} commands/s at ${TARGET.connections} connections`,
        value: `${at.commandsPerSec}/s`,
        pass: at.commandsPerSec >= TARGET.minRps,
      },
      {
        name: `p99 < ${TARGET.maxP99Ms} ms at ${TARGET.connections} connections`,
        value: `${at.commands.latencyMs.p99} ms`,
        pass: at.commands.latencyMs.p99 !== null && at.commands.latencyMs.p99 < TARGET.maxP99Ms,
      },
      {
        name: 'no non-2xx responses or socket errors (commands and /health)',
        value: String(
          rows.reduce(
            (n, r) =>
              n + r.commands.non2xx + r.commands.errors + r.ceiling.non2xx + r.ceiling.errors,
            0,
          ),
        ),
        pass: rows.every(
          (r) => r.commands.non2xx + r.commands.errors + r.ceiling.non2xx + r.ceiling.errors === 0,
        ),
      },
    ];
    return {
      seconds,
      tenant,
      rows,
      breakdown,
      ledgerAfter: status,
      projectionCatchUp: catchUp,
      workerLogs: { counts: w.logs.counts, recent: w.logs.recent.slice(-5) },
      targets,
    };
  } finally {
    await w.dispose();
  }
}

/** Polls the ledger until the read model has everything, or `timeoutMs` passed. */
export async function waitProjected(ledger, timeoutMs) {
  const started = performance.now();
  for (;;) {
    const status = plain(await ledger.projectionStatus());
    const ms = Math.round(performance.now() - started);
    if (status.projectedPosition >= status.position) return { ok: true, ms, status };
    if (ms > timeoutMs) return { ok: false, ms, status };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs each step's load in turn at the target concurrency; 2xx (or the expected status) counts. */
async function measureSteps(url, steps, seconds) {
  const out = [];
  for (const s of steps) {
    const r = await runLoad({ url, connections: TARGET.connections, seconds, ...s.load });
    const expected = s.expect === 404 ? (r.statusCodes['404'] ?? 0) : r.ok2xx;
    out.push({
      step: s.step,
      rps: round(expected / r.seconds, 0),
      p50: r.latencyMs.p50,
      p99: r.latencyMs.p99,
      unexpected: r.requests - expected,
    });
  }
  return out;
}
