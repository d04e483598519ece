/**
 * The query part of cache keys (src/cache/query-key.ts), worked out once per distinct query
 * string: the same answers as parsing every time, shared objects only for identical inputs.
 */
import { describe, expect, it } from 'vitest';
import { normalizeQuery, rawQuery, shapingQuery } from '../../src/cache/query-key';

describe('query keys', () => {
  it('take the query string of a URL, without "?" or a fragment', () => {
    expect(rawQuery('https://api.test/v1/invoices?limit=50&status=issued')).toBe(
      'limit=50&status=issued',
    );
    expect(rawQuery('https://api.test/v1/invoices')).toBe('');
    expect(rawQuery('https://api.test/v1/invoices?')).toBe('');
    expect(rawQuery('https://api.test/v1/invoices?a=1#frag')).toBe('a=1');
  });

  it('drop empty parameters, keep repeated ones and add the route defaults that are absent', () => {
    const q = shapingQuery('status=issued&customerId=&status=paid&limit=5', { asOf: '2026-12-05' });
    expect([...q.entries()]).toEqual([
      ['status', 'issued'],
      ['status', 'paid'],
      ['limit', '5'],
      ['asOf', '2026-12-05'],
    ]);
    // A default never overrides what the client sent.
    expect(shapingQuery('asOf=2026-06-30', { asOf: '2026-12-05' }).get('asOf')).toBe('2026-06-30');
    // Percent-encoding decodes as URL parsing would.
    expect(shapingQuery('q=a%20b%26c', {}).get('q')).toBe('a b&c');
  });

  it('reuse the parsed query for the same query string and defaults, and only then', () => {
    const a = shapingQuery('limit=50&expand=customer', {});
    expect(shapingQuery('limit=50&expand=customer', {})).toBe(a);
    expect(shapingQuery('limit=51&expand=customer', {})).not.toBe(a);
    // No query at all (a bare list) is a query string like any other.
    const bare = shapingQuery('', {});
    expect([...bare.keys()]).toEqual([]);
    expect(shapingQuery('', {})).toBe(bare);
    const today = shapingQuery('', { asOf: '2026-12-05' });
    const tomorrow = shapingQuery('', { asOf: '2026-12-06' });
    expect(tomorrow).not.toBe(today);
    expect(tomorrow.get('asOf')).toBe('2026-12-06');
    // A query string cannot pass for a default: the two are kept apart in the memo's key.
    expect(shapingQuery('asOf=2026-12-05', {})).not.toBe(today);
  });

  it('parse very long query strings per request instead of remembering them', () => {
    const long = `q=${'x'.repeat(5000)}`;
    const first = shapingQuery(long, {});
    expect(first.get('q')).toHaveLength(5000);
    expect(shapingQuery(long, {})).not.toBe(first);
  });

  it('normalize by sorting names, then values, the same on every call', () => {
    const q = new URLSearchParams('status=paid&limit=50&status=issued');
    expect(normalizeQuery(q)).toBe('limit=50&status=issued&status=paid');
    expect(normalizeQuery(q)).toBe('limit=50&status=issued&status=paid');
    expect(normalizeQuery(new URLSearchParams('limit=50&status=paid&status=issued'))).toBe(
      normalizeQuery(q),
    );
  });
});
