/**
 * Full-text search: customers by name, email and tax id, vendors, invoices by memo and line
 * descriptions; ranking, prefixes, phrases, hostile input, and the tenant boundary of the
 * SECURITY DEFINER search function.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectEvents } from '../../src/read/projection';
import { InvalidQueryError } from '../../src/read/queries/errors';
import { search, type SearchParams } from '../../src/read/queries/search';
import { Ledger } from '../fixtures/domain/harness';
import { inTenant, openClients, projectBook, richLedger, statesOf } from '../fixtures/queries';
import { uniqueTenant } from '../fixtures/http';

const { client, db } = openClients();
afterAll(() => client.close());

const ledger = richLedger();
let tenant = '';
beforeAll(async () => {
  tenant = await projectBook(projectEvents, db, ledger, uniqueTenant('search'));
}, 60_000);

const find = (params: SearchParams, t = tenant) => inTenant(db, t, (tx) => search(tx, params));

describe(`search (${env.TEST_DB_BACKEND})`, () => {
  it('finds customers by name words and prefixes, email and tax id; names rank above emails', async () => {
    const hits = await find({ q: 'alpha', types: ['customer'] });
    expect(hits.map((h) => h.title)).toEqual(
      expect.arrayContaining(['Alpha Industries', 'alphabet soup']),
    );
    expect(hits.every((h) => h.type === 'customer' && h.rank > 0)).toBe(true);
    const alpha = statesOf(ledger, 'customer').find((c) => c.name === 'Alpha Industries');
    expect((await find({ q: 'DE811907980' }))[0]).toMatchObject({
      type: 'customer',
      id: alpha?.id,
      title: 'Alpha Industries',
      snippet: `${alpha?.email} · DE811907980`,
    });
    expect((await find({ q: 'billing2@gamma.test' })).map((h) => h.title)).toEqual(['Gamma LLC']);
    expect((await find({ q: 'gamma.test' })).map((h) => h.title)).toEqual(['Gamma LLC']);
    // Every vendor's email says "vendor"; only Old Vendor has it in its name (weight A).
    const vendors = await find({ q: 'vendor', types: ['vendor'] });
    expect(vendors.map((h) => h.title)).toHaveLength(3);
    expect(vendors[0]?.title).toBe('Old Vendor');
    expect((await find({ q: 'Ölw' })).map((h) => h.title)).toEqual(['Ölwerk AG']);
  });

  it('finds invoices by memo and by line descriptions, with a plain-text snippet', async () => {
    const invoices = statesOf(ledger, 'invoice');
    const redesign = await find({ q: 'website redesign', types: ['invoice'], limit: 50 });
    expect(redesign.map((h) => h.id).sort()).toEqual(
      invoices
        .filter((i) => i.memo === 'Website redesign')
        .map((i) => i.id)
        .sort(),
    );
    expect(redesign[0]?.snippet).toMatch(/^Website redesign/);
    const customer = statesOf(ledger, 'customer').find(
      (c) => c.id === invoices.find((i) => i.id === redesign[0]?.id)?.customerId,
    );
    expect(redesign[0]?.title).toBe(`${redesign[0]?.id} · ${customer?.name}`);
    const travel = await find({ q: 'travel trip', types: ['invoice'], limit: 50 });
    expect(travel.map((h) => h.id).sort()).toEqual(
      invoices
        .filter((i) => i.lines.some((l) => l.description.startsWith('Travel')))
        .map((i) => i.id)
        .sort(),
    );
    expect(travel[0]?.snippet).toMatch(/Travel expenses trip/);
    // Words may come from the memo and the lines of one invoice.
    const across = await find({ q: 'redesign hosting', types: ['invoice'], limit: 50 });
    expect(across.map((h) => h.id).sort()).toEqual(
      invoices
        .filter(
          (i) =>
            i.memo === 'Website redesign' && i.lines.some((l) => /hosting/i.test(l.description)),
        )
        .map((i) => i.id)
        .sort(),
    );
    expect(across.length).toBeGreaterThan(0);
    const phrase = await find({ q: '"security audit" -hosting', types: ['invoice'], limit: 50 });
    expect(phrase.map((h) => h.id).sort()).toEqual(
      invoices
        .filter(
          (i) =>
            i.memo === 'Security audit' && !i.lines.some((l) => /hosting/i.test(l.description)),
        )
        .map((i) => i.id)
        .sort(),
    );
  });

  it('respects types and limit, orders by rank, and treats hostile input as plain text', async () => {
    expect((await find({ q: 'test', types: 'vendor' })).every((h) => h.type === 'vendor')).toBe(
      true,
    );
    expect((await find({ q: 'paper' })).map((h) => [h.type, h.title])).toEqual([
      ['vendor', 'Paper Co'],
    ]);
    const many = await find({ q: 'customer', limit: 5 });
    expect(many).toHaveLength(5);
    expect(many.map((h) => h.rank)).toEqual([...many.map((h) => h.rank)].sort((a, b) => b - a));
    for (const q of [
      "'); drop table customers; --",
      'a & b | !c :* (',
      '"unterminated',
      '\\',
      '%_',
      '-',
      'or',
      '!!!',
    ]) {
      await expect(find({ q }), q).resolves.toBeInstanceOf(Array);
    }
    expect(statesOf(ledger, 'customer').length).toBeGreaterThan(0);
    for (const bad of [
      { q: '' },
      { q: 'x'.repeat(201) },
      { q: 'a', limit: 0 },
      { q: 'a', types: ['bill' as 'vendor'] },
    ]) {
      await expect(find(bad)).rejects.toBeInstanceOf(InvalidQueryError);
    }
  });

  it("never returns another tenant's documents, and nothing outside a tenant transaction", async () => {
    const other = new Ledger();
    other.ok({ type: 'customer.create', data: { name: 'Zanzibar Trading' } });
    const otherTenant = await projectBook(projectEvents, db, other, uniqueTenant('other'));
    expect(await find({ q: 'zanzibar' })).toEqual([]);
    expect((await find({ q: 'zanzibar' }, otherTenant)).map((h) => h.title)).toEqual([
      'Zanzibar Trading',
    ]);
    expect(await find({ q: 'alpha' }, otherTenant)).toEqual([]);
    const c = await client.pool.connect();
    try {
      await c.query('begin');
      await c.query("select set_config('role', 'finance_app', true)");
      const res = await c.query(
        "select * from search_documents('alpha', array['customer','vendor','invoice'], 10)",
      );
      expect(res.rows).toEqual([]);
      await expect(c.query('select count(*) from customers')).resolves.toMatchObject({
        rows: [{ count: '0' }],
      });
    } finally {
      await c.query('rollback');
      c.release();
    }
  });
});
