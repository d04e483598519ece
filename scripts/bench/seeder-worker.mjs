// A bench-only helper Worker, run by Miniflare next to the real one (never deployed). It
// binds the real Worker's TenantLedger and fills ledgers with commands through the same
// `execute` RPC the routes use, from inside workerd: one Node→workerd hop per batch instead
// of per command, so seeding 100k events takes seconds and its rate is the ledger's own.
// No imports: plain JavaScript, served as is.

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** Runs `count` tasks with at most `concurrency` in flight (the ledger runs them one at a time). */
async function pool(count, concurrency, task) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(lanes);
}

function ledger(env, tenantId) {
  return env.LEDGER.get(env.LEDGER.idFromName(tenantId));
}

async function run(stub, tenantId, command, tag) {
  const res = await stub.execute({ tenantId, command, actor: 'bench', requestId: `bench-${tag}` });
  if (!res.ok) throw new Error(`${command.type} refused: ${JSON.stringify(res.error)}`);
  return res;
}

const scenarios = {
  /** One customer created (when no id is given), then `count` updates of it: one stream of N events. */
  async updates(env, { tenantId, customerId, count, concurrency = 8, offset = 0 }) {
    const stub = ledger(env, tenantId);
    let id = customerId;
    if (!id)
      id = (
        await run(
          stub,
          tenantId,
          { type: 'customer.create', data: { name: 'Cold Customer', email: 'cold@example.com' } },
          'create',
        )
      ).resource.id;
    await pool(count, concurrency, (i) =>
      run(
        stub,
        tenantId,
        { type: 'customer.update', data: { id, name: `Cold Customer ${offset + i}` } },
        `u${offset + i}`,
      ),
    );
    const status = await stub.projectionStatus();
    return { customerId: id, position: status.position };
  },

  /** `count` customer.create commands (the same body as the HTTP bench): the ledger's own rate. */
  async creates(env, { tenantId, count, concurrency = 8 }) {
    const stub = ledger(env, tenantId);
    const started = Date.now();
    await pool(count, concurrency, (i) =>
      run(
        stub,
        tenantId,
        { type: 'customer.create', data: { name: 'Bench Customer', email: 'b@example.com' } },
        `c${i}`,
      ),
    );
    return {
      count,
      position: (await stub.projectionStatus()).position,
      innerMs: Date.now() - started,
    };
  },

  /**
   * A tenant's books for the read benchmark: `customers` customers, then `invoices` invoices
   * created and issued (spread over the customers and ~10 months of dates), and a payment for
   * every `payEvery`-th invoice (every other one of those in full, the rest half).
   */
  async books(env, { tenantId, customers = 50, invoices = 2000, payEvery = 4, concurrency = 8 }) {
    const stub = ledger(env, tenantId);
    const ids = new Array(customers);
    await pool(customers, concurrency, async (i) => {
      ids[i] = (
        await run(
          stub,
          tenantId,
          {
            type: 'customer.create',
            data: {
              name: `Reads Customer ${String(i).padStart(3, '0')}`,
              email: `r${i}@example.com`,
              defaultCurrency: 'USD',
            },
          },
          `bc${i}`,
        )
      ).resource.id;
    });
    let payments = 0;
    await pool(invoices, concurrency, async (n) => {
      const customerId = ids[n % customers];
      const day = new Date(Date.UTC(2026, 0, 1) + (n % 300) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const due = new Date(Date.UTC(2026, 0, 31) + (n % 300) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const invoice = await run(
        stub,
        tenantId,
        {
          type: 'invoice.create',
          data: {
            customerId,
            currency: 'USD',
            issueDate: day,
            dueDate: due,
            lines: [
              {
                description: 'Consulting',
                quantityMilli: 1000 + (n % 7) * 500,
                unitAmount: 15_000,
                taxRatePpm: 88_750,
              },
            ],
          },
        },
        `bi${n}`,
      );
      const issued = await run(
        stub,
        tenantId,
        { type: 'invoice.issue', data: { id: invoice.resource.id } },
        `bx${n}`,
      );
      if (n % payEvery === 0) {
        const total = Number(issued.resource.total);
        const amount = n % (2 * payEvery) === 0 ? total : Math.floor(total / 2);
        await run(
          stub,
          tenantId,
          {
            type: 'payment.record',
            data: {
              customerId,
              amount,
              currency: 'USD',
              date: due,
              method: 'bank_transfer',
              allocations: [{ invoiceId: invoice.resource.id, amount }],
            },
          },
          `bp${n}`,
        );
        payments++;
      }
    });
    return {
      customerIds: ids,
      invoices,
      payments,
      position: (await stub.projectionStatus()).position,
    };
  },

  /**
   * Mixed books: rounds of [customer created, invoice created, invoice issued (posts the
   * journal), payment recorded and allocated (posts again)], until `events` is reached.
   */
  async mixed(env, { tenantId, events, concurrency = 4 }) {
    const stub = ledger(env, tenantId);
    let position = (await stub.projectionStatus()).position;
    const start = position;
    let rounds = 0;
    const commands = { customer: 0, invoiceCreate: 0, invoiceIssue: 0, payment: 0 };
    while (position - start < events) {
      const batch = Math.max(
        1,
        Math.min(concurrency, Math.ceil((events - (position - start)) / 8)),
      );
      await pool(batch, batch, async () => {
        const n = rounds++;
        const customer = await run(
          stub,
          tenantId,
          {
            type: 'customer.create',
            data: { name: `Customer ${n}`, email: `c${n}@example.com`, defaultCurrency: 'USD' },
          },
          `c${n}`,
        );
        commands.customer++;
        const invoice = await run(
          stub,
          tenantId,
          {
            type: 'invoice.create',
            data: {
              customerId: customer.resource.id,
              currency: 'USD',
              issueDate: '2026-02-01',
              dueDate: '2026-03-01',
              lines: [
                {
                  description: 'Consulting',
                  quantityMilli: 12_500,
                  unitAmount: 15_000,
                  taxRatePpm: 88_750,
                },
                { description: 'Licence', quantityMilli: 1_000, unitAmount: 240_000 },
              ],
            },
          },
          `i${n}`,
        );
        commands.invoiceCreate++;
        const issued = await run(
          stub,
          tenantId,
          { type: 'invoice.issue', data: { id: invoice.resource.id } },
          `x${n}`,
        );
        commands.invoiceIssue++;
        const total = Number(issued.resource.total);
        const res = await run(
          stub,
          tenantId,
          {
            type: 'payment.record',
            data: {
              customerId: customer.resource.id,
              amount: total,
              currency: 'USD',
              date: '2026-02-15',
              method: 'bank_transfer',
              allocations: [{ invoiceId: invoice.resource.id, amount: total }],
            },
          },
          `p${n}`,
        );
        commands.payment++;
        position = Math.max(position, res.position);
      });
    }
    return { position, events: position - start, rounds, commands };
  },
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const scenario = scenarios[url.pathname.slice(1)];
    if (request.method !== 'POST' || !scenario)
      return json({ error: 'POST /updates or /mixed' }, 404);
    const started = Date.now();
    try {
      const result = await scenario(env, await request.json());
      return json({ ...result, ms: Date.now() - started });
    } catch (err) {
      return json({ error: String(err?.stack ?? err) }, 500);
    }
  },
};
