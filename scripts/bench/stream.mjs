// `stream`: the live ledger stream (docs/stream.md) of ONE tenant with many subscribers, all on
// 127.0.0.1 and bounded: catch-up time of a 10k-event log, commit→client delivery latency at
// 1,000 subscribers under 200 writes/s (open loop; the writes answered per second say whether
// the rate held), events/s fanned out, lost or duplicated events (must be 0), workerd's
// memory, and command throughput into the tenant with those subscribers against runs without
// them (the mean of one before and one after, as /health is in reads.mjs). Subscribers ask
// for `events` frames (`?batch=true`) as the typed client does, and run on a thread of their
// own (stream-subscribers.mjs), apart from the commands' load generator; the throughput is
// measured again with subscribers of one frame per event (INFO). The share of a core workerd
// and this process used is printed, since both share the machine's two.
import { COMMAND_BODY } from './commands.mjs';
import { round, runLoad } from './load.mjs';
import { withCpu, workerdRssMiB } from './noise.mjs';
import { ledgerPosition, measureDelivery } from './stream-delivery.mjs';
import { Subscriber, until } from './stream-subscriber.mjs';
import { settle, SubscriberThread } from './stream-subscribers.mjs';

/** `BENCH_STREAM_PUSH_INTERVAL_MS=N npm run bench -- --only stream`: the section at another push interval. */
const PUSH_INTERVAL = process.env.BENCH_STREAM_PUSH_INTERVAL_MS;

export async function benchStream(ctx, { quick, log }) {
  const subscribers = quick ? 200 : 1000;
  const rate = 200;
  const seconds = quick ? 3 : 10;
  const loadSeconds = quick ? 2 : 6;
  const catchUpEvents = quick ? 2000 : 10_000;
  const w = await ctx.worker({
    seeder: true,
    vars: {
      STREAM_MAX_CONNECTIONS_PER_USER: '5000',
      STREAM_MAX_CONNECTIONS_PER_TENANT: '5000',
      // wrangler.toml's STREAM_PUSH_INTERVAL_MS unless this overrides it (the trade in docs/performance.md).
      ...(PUSH_INTERVAL ? { STREAM_PUSH_INTERVAL_MS: PUSH_INTERVAL } : {}),
    },
  });
  const thread = new SubscriberThread();
  try {
    // Catch-up: one socket replays a 10k-event log (acking as the typed client does).
    const catchTenant = `bench-stream-catchup-${Date.now().toString(36)}`;
    await w.seed('creates', { tenantId: catchTenant, count: catchUpEvents, concurrency: 10 });
    const reader = new Subscriber(w.url, await ctx.token(catchTenant), 0);
    let t = performance.now();
    await reader.open();
    const caught = await until(() => reader.caughtUp, 30_000);
    const catchUp = {
      events: reader.received,
      ms: round(performance.now() - t, 0),
      caughtUp: caught,
      gaps: reader.gaps,
      duplicates: reader.duplicates,
    };
    reader.close();
    if (PUSH_INTERVAL)
      log(`  STREAM_PUSH_INTERVAL_MS=${PUSH_INTERVAL} (BENCH_STREAM_PUSH_INTERVAL_MS)`);
    log(
      `  catch-up: ${catchUp.events} events replayed to caught_up in ${catchUp.ms} ms (gaps ${catchUp.gaps}, duplicates ${catchUp.duplicates})`,
    );

    const tenant = `bench-stream-${Date.now().toString(36)}`;
    const token = await ctx.token(tenant);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const command = {
      url: w.url,
      connections: 10,
      method: 'POST',
      path: '/v1/customers',
      headers,
      body: COMMAND_BODY,
      uniqueIdempotencyKey: true,
    };
    await runLoad({ ...command, seconds: 1 });
    const { result: without, cpu: cpuWithout } = await withCpu(() =>
      runLoad({ ...command, seconds: loadSeconds }),
    );
    const memBefore = workerdRssMiB();

    const head = await ledgerPosition(w.url, headers);
    t = performance.now();
    const caughtUp = await thread.open(w.url, token, head, subscribers, true);
    const connectMs = round(performance.now() - t, 0);
    const memWith = workerdRssMiB();
    log(
      `  ${subscribers} subscribers connected, ${caughtUp} caught up, in ${connectMs} ms; workerd RSS ${memBefore} → ${memWith} MiB`,
    );

    // Delivery at an open-loop 200 writes/s.
    const delivery = await measureDelivery({ url: w.url, headers, thread, rate, seconds });
    log(
      `  ${rate} writes/s scheduled for ${seconds} s, ${delivery.writesPerSec}/s answered (write p99 ${delivery.writeP99Ms} ms from its schedule) → ${delivery.events} events to each of ${subscribers}: delivery p50 ${delivery.p50Ms} ms, p99 ${delivery.p99Ms} ms, max ${delivery.maxMs} ms; ${delivery.fanOutPerSec} events/s fanned out`,
    );

    /** Commands at 10 connections (closed loop, as without) while the subscribers get every event. */
    const loadWith = async () => {
      const { result, cpu } = await withCpu(() => runLoad({ ...command, seconds: loadSeconds }));
      const head = await ledgerPosition(w.url, headers);
      return { result, cpu, head, ...(await settle(thread, head)) };
    };

    // Throughput into the tenant with the subscribers attached.
    const {
      result: withSubs,
      cpu: cpuWith,
      head: final,
      lost,
      duplicates,
      closes,
    } = await loadWith();
    const perSec = (r) => round(r.ok2xx / r.seconds, 0);
    log(
      `  commands/s at 10 connections: ${perSec(without)} without subscribers, ${perSec(withSubs)} with ${subscribers}; lost ${lost}, duplicated ${duplicates}, server closes ${JSON.stringify(closes)}; cores busy without / with: workerd ${cpuWithout.workerd} / ${cpuWith.workerd}, the bench (load and subscribers) ${cpuWithout.bench} / ${cpuWith.bench}`,
    );

    // The same throughput with subscribers that take one `event` frame per event (no `batch`).
    await thread.open(w.url, token, final, subscribers, false);
    const {
      result: withSingle,
      cpu: cpuSingle,
      lost: singleLost,
      duplicates: singleDuplicates,
    } = await loadWith();
    log(
      `  the same with ${subscribers} subscribers of one frame per event: ${perSec(withSingle)} commands/s; lost ${singleLost}, duplicated ${singleDuplicates}; cores busy: workerd ${cpuSingle.workerd}, the bench ${cpuSingle.bench}`,
    );

    // Without subscribers again: the ratios are against the mean of the runs before and after.
    await thread.closeAll();
    await new Promise((r) => setTimeout(r, 500));
    const { result: withoutAfter } = await withCpu(() =>
      runLoad({ ...command, seconds: loadSeconds }),
    );
    const baseline =
      (without.ok2xx / without.seconds + withoutAfter.ok2xx / withoutAfter.seconds) / 2;
    const ratioOf = (r) => round(r.ok2xx / r.seconds / baseline, 3);
    const ratio = ratioOf(withSubs);
    const singleRatio = ratioOf(withSingle);
    log(
      `  without subscribers again: ${perSec(withoutAfter)} commands/s; against the mean (${round(baseline, 0)}): batched subscribers ${ratio}, one frame per event ${singleRatio}`,
    );

    // One subscriber under the same writes: a tenant with few sockets waits 0.5 ms per socket
    // for a push, not the whole interval (src/ledger/stream/push.ts).
    await thread.open(w.url, token, await ledgerPosition(w.url, headers), 1, true);
    const soloDelivery = await measureDelivery({ url: w.url, headers, thread, rate, seconds: 3 });
    const solo = await thread.counts();
    const soloCheck = `${soloDelivery.allDelivered ? 'all delivered' : 'NOT all delivered'}, gaps ${solo.gaps}, duplicates ${solo.duplicates}`;
    log(
      `  one subscriber, ${rate} writes/s for 3 s (${soloDelivery.writesPerSec}/s answered): delivery p50 ${soloDelivery.p50Ms} ms, p99 ${soloDelivery.p99Ms} ms (${soloDelivery.events} events; ${soloCheck})`,
    );

    const targets = [
      {
        name: `delivery p99 < 100 ms at ${subscribers} subscribers and ${rate} writes/s`,
        value: `${delivery.p99Ms} ms at ${delivery.writesPerSec} writes/s`,
        // Only at the rate asked for: writes that fell behind would make fewer events to deliver.
        pass:
          delivery.p99Ms !== null && delivery.p99Ms < 100 && delivery.writesPerSec >= 0.95 * rate,
      },
      {
        name: '0 events lost or duplicated',
        value: `${lost} lost, ${duplicates} duplicated`,
        pass: lost === 0 && duplicates === 0 && delivery.allDelivered,
      },
      {
        name: `catch-up of ${catchUpEvents} events < 1 s`,
        value: `${catchUp.ms} ms`,
        pass: catchUp.caughtUp && catchUp.events >= catchUpEvents && catchUp.ms < 1000,
      },
      {
        name: 'command throughput with subscribers within 20 % of without',
        value: `ratio ${ratio}`,
        pass: ratio >= 0.8,
      },
      {
        name: `delivery p50 / p99 to one subscriber at ${rate} writes/s`,
        value: `${soloDelivery.p50Ms} / ${soloDelivery.p99Ms} ms; ${soloCheck}`,
        pass: null,
        info: true,
      },
      {
        name: 'the same with subscribers of one frame per event (no batch)',
        value: `ratio ${singleRatio}; ${singleLost} lost, ${singleDuplicates} duplicated`,
        pass: null,
        info: true,
      },
    ];
    return {
      subscribers,
      pushIntervalMs: Number(PUSH_INTERVAL ?? ctx.config.vars?.STREAM_PUSH_INTERVAL_MS ?? 50),
      rate,
      seconds,
      catchUp,
      connectMs,
      memoryMiB: { workerdBefore: memBefore, workerdWithSubscribers: memWith },
      delivery,
      soloDelivery,
      throughput: {
        without: { perSec: perSec(without), p99: without.latencyMs.p99, coresBusy: cpuWithout },
        withoutAfter: { perSec: perSec(withoutAfter), p99: withoutAfter.latencyMs.p99 },
        baselinePerSec: round(baseline, 0),
        withSubscribers: {
          perSec: perSec(withSubs),
          p99: withSubs.latencyMs.p99,
          coresBusy: cpuWith,
        },
        ratio,
        withSingleFrameSubscribers: {
          perSec: perSec(withSingle),
          ratio: singleRatio,
          lost: singleLost,
          duplicates: singleDuplicates,
          coresBusy: cpuSingle,
        },
      },
      lost,
      duplicates,
      closes,
      targets,
    };
  } finally {
    try {
      await thread.stop();
    } finally {
      await w.dispose();
    }
  }
}
