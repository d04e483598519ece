/**
 * The shared workload as plain TypeScript (no k6 import): which request comes next and what
 * its answer must show. The k6 scripts run it through `k6/http` (workload.ts); the local
 * load generator (scripts/load/autocannon.mjs) draws from the same class, so both send the
 * same mix: 80 % reads (lists, reports, single resources, read-your-writes checks), 20 %
 * commands (customers, invoices create/issue, payments with allocations), every POST with a
 * fresh `Idempotency-Key`, changes with `If-Match`, tagged by kind and route.
 */

import {
  asRecord,
  CURRENCY,
  HAS_ETAG,
  INVOICES_PER_CUSTOMER,
  invoiceBody,
  keep,
  listHas,
  LISTS,
  makeStep,
  num,
  paymentBody,
  pick,
  READ_SHARE,
  REPORTS,
  RYW_SHARE,
  str,
} from './steps.ts';
import type { Draft, Open, Own, SetupData, Step, StepArgs } from './steps.ts';

export type { Kind, SetupData, Step } from './steps.ts';

/**
 * One user's session state: the ids it has seen and made. In k6 each VU has its own (module
 * state is per VU); the local load generator shares one across its connections.
 */
export class Mix {
  private seq = 0;
  private position = 0;
  private readonly own: Own[] = [];
  private readonly drafts: Draft[] = [];
  private readonly open: Open[] = [];
  private readonly invoices: string[] = [];
  private pending: Step | null = null;
  private readonly auth: Record<string, string>;
  private readonly data: SetupData;
  private readonly actor: string;

  /** `actor` names this session in its keys and customer names (the VU number in k6). */
  constructor(data: SetupData, actor: string) {
    this.data = data;
    this.actor = actor;
    this.auth = { Authorization: `Bearer ${data.token}` };
  }

  /** The next request: a pending read-your-writes check first, else a draw from the mix. */
  next(): Step {
    const ryw = this.pending;
    if (ryw) {
      this.pending = null;
      return ryw;
    }
    return Math.random() < READ_SHARE ? this.read() : this.command();
  }

  private key(): string {
    this.seq += 1;
    return `k6-${this.data.runId}-${this.actor}-${this.seq}`;
  }

  private step(...args: StepArgs): Step {
    return makeStep(this.auth, ...args);
  }

  private read(): Step {
    const customer = pick(this.own.map((c) => c.id)) ?? pick(this.data.customerIds);
    const invoice = pick(this.invoices);
    const r = Math.random();
    if (r < 0.4) {
      const lists = customer
        ? [
            ...LISTS,
            { route: 'list invoices', path: `/v1/invoices?customerId=${customer}&limit=100` },
          ]
        : LISTS;
      const l = pick(lists) as { route: string; path: string };
      return this.step('read', l.route, 'GET', l.path);
    }
    if (r < 0.7) {
      const rep = pick(REPORTS) as { route: string; path: string };
      return this.step('read', rep.route, 'GET', rep.path);
    }
    const etagged = (route: string, path: string) =>
      this.step('read', route, 'GET', path, { verify: HAS_ETAG });
    if (invoice && Math.random() < 0.6) return etagged('get invoice', `/v1/invoices/${invoice}`);
    if (customer) return etagged('get customer', `/v1/customers/${customer}`);
    return this.step('read', 'list customers', 'GET', '/v1/customers?limit=20');
  }

  private command(): Step {
    const r = Math.random();
    const own = this.own[this.own.length - 1];
    if (!own || own.invoices >= INVOICES_PER_CUSTOMER || r < 0.2) return this.createCustomer();
    const idle = this.own.filter((c) => c.etag !== '');
    if (r < 0.3 && idle.length) return this.updateCustomer(pick(idle) as Own);
    const open = pick(this.open);
    if (open && r < 0.5) return this.pay(open);
    const draft = this.drafts.shift();
    if (draft && r < 0.75) return this.issue(draft);
    if (draft) this.drafts.unshift(draft);
    return this.createInvoice(own);
  }

  private write(
    route: string,
    method: Step['method'],
    path: string,
    body: object | null,
    expect: number,
    headers: Record<string, string>,
    observe: (b: Record<string, unknown>, h: Record<string, string>) => void,
  ): Step {
    return this.step('command', route, method, path, {
      headers: { 'Content-Type': 'application/json', ...headers },
      body: body === null ? null : JSON.stringify(body),
      expect: [expect],
      observe: (b, h) => {
        const pos = Number(h['x-ledger-position']);
        if (Number.isSafeInteger(pos) && pos > this.position) this.position = pos;
        observe(asRecord(b), h);
      },
    });
  }

  /** After a command: maybe queue a list read that must include it. */
  private checkLater(route: string, path: string, id: string) {
    if (Math.random() >= RYW_SHARE) return;
    const minPosition = String(this.position);
    this.pending = this.step('read', `ryw ${route}`, 'GET', path, {
      headers: { 'X-Min-Position': minPosition },
      verify: { name: `read-your-writes: ${route} includes the write`, ok: (b) => listHas(b, id) },
    });
  }

  private createCustomer(): Step {
    const name = `Load ${this.data.runId} ${this.actor} ${this.seq + 1}`;
    return this.write(
      'create customer',
      'POST',
      '/v1/customers',
      { name, email: `ap+${this.seq + 1}@load.example`, defaultCurrency: CURRENCY },
      201,
      { 'Idempotency-Key': this.key() },
      (b, h) => {
        const id = str(b.id);
        if (!id) return;
        keep(this.own, { id, etag: h.etag ?? '', invoices: 0 });
        this.checkLater(
          'customers',
          `/v1/customers?namePrefix=${encodeURIComponent(name)}&limit=5`,
          id,
        );
      },
    );
  }

  private updateCustomer(c: Own): Step {
    const ifMatch = c.etag;
    c.etag = ''; // in flight: no second update with the same version (the load generator shares one Mix)
    return this.write(
      'update customer',
      'PATCH',
      `/v1/customers/${c.id}`,
      { taxId: `TX-${this.seq + 1}` },
      200,
      { 'Idempotency-Key': this.key(), 'If-Match': ifMatch },
      (_b, h) => {
        c.etag = h.etag ?? '';
      },
    );
  }

  private createInvoice(c: Own): Step {
    c.invoices += 1;
    return this.write(
      'create invoice',
      'POST',
      '/v1/invoices',
      invoiceBody(c.id),
      201,
      { 'Idempotency-Key': this.key() },
      (b, h) => {
        const id = str(b.id);
        if (!id) return;
        keep(this.drafts, { id, etag: h.etag ?? '', customerId: c.id });
        keep(this.invoices, id);
        this.checkLater('invoices', `/v1/invoices?customerId=${c.id}&limit=100`, id);
      },
    );
  }

  private issue(d: Draft): Step {
    return this.write(
      'issue invoice',
      'POST',
      `/v1/invoices/${d.id}/issue`,
      null,
      200,
      { 'Idempotency-Key': this.key(), 'If-Match': d.etag },
      (b) => {
        const balance = num(b.balanceDue);
        if (balance > 0) keep(this.open, { id: d.id, customerId: d.customerId, balance });
        this.checkLater('invoices', `/v1/invoices?customerId=${d.customerId}&limit=100`, d.id);
      },
    );
  }

  private pay(o: Open): Step {
    const { allocated, body } = paymentBody(o);
    o.balance -= allocated;
    if (o.balance <= 0) this.open.splice(this.open.indexOf(o), 1);
    return this.write(
      'record payment',
      'POST',
      '/v1/payments',
      body,
      201,
      { 'Idempotency-Key': this.key() },
      (b) => {
        const id = str(b.id);
        if (id)
          this.checkLater('payments', `/v1/payments?customerId=${o.customerId}&limit=100`, id);
      },
    );
  }
}
