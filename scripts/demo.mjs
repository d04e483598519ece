#!/usr/bin/env node
// npm run demo [-- --base http://127.0.0.1:8787 --tenant demo]
// Fills a tenant with real-looking books through the public API of a running server
// (`npm start` in another terminal, or `npm start -- --demo`): customers, vendors, a manual
// journal entry, invoices (draft, issued, partly and fully paid, void) and payments.
// Every POST carries a deterministic Idempotency-Key, so running it twice changes nothing.
import { flags } from './lib/args.mjs';
import { authSettings, loadOrCreateDevKey, mintToken } from './lib/dev-keys.mjs';

/** Seeds the tenant; returns a summary. Exported for `npm start -- --demo`. */
export async function seedDemo(base, tenant) {
  const { privateJwk } = await loadOrCreateDevKey();
  const token = await mintToken({
    privateJwk,
    tenant,
    roles: ['admin'],
    sub: 'demo-seeder',
    ...authSettings(),
  });
  let n = 0;
  const post = async (path, body) => {
    n += 1;
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': `demo-${tenant}-${n}`,
      },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`POST ${path} -> ${res.status} ${json.code}: ${json.detail}`);
    return json;
  };
  const year = new Date().getUTCFullYear();
  const d = (month, day) =>
    `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

  const customers = [];
  for (const [name, email] of [
    ['Acme Corporation', 'ap@acme.example'],
    ['Globex Ltd', 'billing@globex.example'],
    ['Initech', 'finance@initech.example'],
    ['Umbrella Retail', 'payables@umbrella.example'],
  ]) {
    customers.push(await post('/v1/customers', { name, email, defaultCurrency: 'USD' }));
  }
  for (const [name, email] of [
    ['Office Supplies Co', 'orders@supplies.example'],
    ['CloudHost Inc', 'invoices@cloudhost.example'],
  ]) {
    await post('/v1/vendors', { name, email, defaultCurrency: 'USD' });
  }
  const settings = await (
    await fetch(`${base}/v1/settings`, { headers: { Authorization: `Bearer ${token}` } })
  ).json();
  // Owner's capital injection: Dr cash / Cr a new equity account of the tenant's own.
  const capital = await post('/v1/accounts', {
    code: '3010',
    name: 'Owner capital contributions',
    type: 'equity',
  });
  await post('/v1/journal-entries', {
    date: d(1, 2),
    memo: 'Owner capital',
    currency: 'USD',
    lines: [
      { accountId: settings.accounts.cash, debit: 5_000_000 },
      { accountId: capital.id, credit: 5_000_000 },
    ],
  });
  const invoices = [];
  const lines = [
    [{ description: 'Consulting (hours)', quantity: 12.5, unitAmount: 15_000, taxRate: 8.875 }],
    [
      { description: 'Annual licence', quantity: 1, unitAmount: 240_000, taxRate: 0 },
      { description: 'Onboarding', quantity: 3, unitAmount: 45_000, taxRate: 20 },
    ],
    [{ description: 'Support retainer', quantity: 1, unitAmount: 99_900, taxRate: 10 }],
    [{ description: 'Hardware', quantity: 4, unitAmount: 33_333, taxRate: 8.875 }],
    [{ description: 'Training day', quantity: 2, unitAmount: 120_000, taxRate: 5 }],
  ];
  for (let i = 0; i < lines.length; i++) {
    const customer = customers[i % customers.length];
    const inv = await post('/v1/invoices', {
      customerId: customer.id,
      currency: 'USD',
      issueDate: d(2, 1 + i),
      dueDate: d(3, 1 + i),
      lines: lines[i],
    });
    invoices.push(i < 4 ? await post(`/v1/invoices/${inv.id}/issue`, {}) : inv); // the last stays a draft
  }
  // Fully pay the first, partly pay the second, pay the third with an unallocated remainder.
  await post('/v1/payments', {
    customerId: invoices[0].customerId,
    amount: invoices[0].total,
    currency: 'USD',
    date: d(3, 5),
    method: 'bank_transfer',
    allocations: [{ invoiceId: invoices[0].id, amount: invoices[0].total }],
  });
  await post('/v1/payments', {
    customerId: invoices[1].customerId,
    amount: 100_000,
    currency: 'USD',
    date: d(3, 6),
    method: 'card',
    allocations: [{ invoiceId: invoices[1].id, amount: 100_000 }],
  });
  await post('/v1/payments', {
    customerId: invoices[2].customerId,
    amount: invoices[2].total + 5_000,
    currency: 'USD',
    date: d(3, 7),
    method: 'check',
    reference: 'CHK-1042',
    allocations: [{ invoiceId: invoices[2].id, amount: invoices[2].total }],
  });
  await post(`/v1/invoices/${invoices[3].id}/void`, {});
  return { tenant, requests: n, token };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = flags({
    base: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? '8787'}` },
    tenant: { type: 'string', default: 'demo' },
  });
  const summary = await seedDemo(f.base, f.tenant).catch((err) => {
    console.error(`demo seeding failed: ${err.message}`);
    process.exit(1);
  });
  console.log(`seeded tenant "${summary.tenant}" with ${summary.requests} requests`);
  console.log(`  curl -s -H "Authorization: Bearer ${summary.token}" ${f.base}/v1/events?limit=5`);
}
