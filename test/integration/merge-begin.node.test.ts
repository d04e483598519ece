/**
 * mergeBeginIntoNext (src/read/merge-begin.ts) on a stand-in client that records what would
 * go on the wire: a parameterless BEGIN waits for the next parameterless statement and
 * travels with it; a statement with parameters, a callback or a stream makes the held BEGIN
 * go alone first; everything else passes through untouched.
 */
import { describe, expect, it } from 'vitest';
import { mergeBeginIntoNext, type QueryClient } from '../../src/read/merge-begin';

function fakeClient() {
  const sent: { text: unknown; values: unknown }[] = [];
  const client: QueryClient & { sent: typeof sent } = {
    sent,
    query(config: unknown, values?: unknown, callback?: unknown) {
      const text = typeof config === 'string' ? config : (config as { text?: unknown }).text;
      sent.push({ text, values });
      const statements = typeof text === 'string' ? text.split(';').length : 1;
      const results = Array.from({ length: statements }, (_, i) => ({ command: `R${sent.length}.${i}`, rows: [] }));
      const answer = statements > 1 ? results : results[0];
      if (typeof callback === 'function') return void (callback as (e: unknown, r: unknown) => void)(null, answer);
      if (typeof values === 'function') return void (values as (e: unknown, r: unknown) => void)(null, answer);
      return Promise.resolve(answer);
    },
  };
  return client;
}

describe('mergeBeginIntoNext', () => {
  it('sends BEGIN with the next parameterless statement, in one message, and answers each caller with its own result', async () => {
    const c = fakeClient();
    mergeBeginIntoNext(c);
    const begin = (await c.query({ text: 'begin read only', types: {} }, [])) as { command: string };
    expect(begin.command).toBe('BEGIN');
    expect(c.sent).toEqual([]);
    const settings = (await c.query({ text: "select set_config('role', 'finance_app', true)" }, [])) as { command: string };
    expect(c.sent.map((s) => s.text)).toEqual(["begin read only; select set_config('role', 'finance_app', true)"]);
    expect(settings.command).toBe('R1.1'); // the second statement's result, not the BEGIN's
    await c.query({ text: 'select * from t where id = $1' }, ['x']);
    await c.query('commit');
    expect(c.sent.map((s) => s.text)).toEqual([
      "begin read only; select set_config('role', 'finance_app', true)",
      'select * from t where id = $1',
      'commit',
    ]);
  });

  it('a statement with parameters cannot share the message: the held BEGIN goes alone, first', async () => {
    const c = fakeClient();
    mergeBeginIntoNext(c);
    await c.query({ text: 'begin ' }, []);
    const r = (await c.query({ text: 'select $1::int' }, [1])) as { command: string };
    expect(c.sent).toEqual([{ text: 'begin ', values: undefined }, { text: 'select $1::int', values: [1] }]);
    expect(r.command).toBe('R2.0');
  });

  it('a callback-style statement after a held BEGIN: BEGIN first, then the statement, and the callback gets its result', async () => {
    const c = fakeClient();
    mergeBeginIntoNext(c);
    await c.query('begin');
    const result = await new Promise((resolve) => c.query('select 1', (_err: unknown, r: unknown) => resolve(r)));
    expect(c.sent.map((s) => s.text)).toEqual(['begin', 'select 1']);
    expect(result).toMatchObject({ command: 'R2.0' });
  });

  it('leaves everything else alone: no BEGIN held, BEGIN with parameters, streams; wrapping twice is wrapping once', async () => {
    const c = fakeClient();
    mergeBeginIntoNext(c);
    mergeBeginIntoNext(c);
    await c.query('select 1');
    await c.query({ text: 'begin isolation level serializable' }, ['unexpected']);
    const stream = { text: 'begin', submit() {} };
    await c.query(stream);
    await c.query('select 2');
    expect(c.sent.map((s) => s.text)).toEqual(['select 1', 'begin isolation level serializable', 'begin', 'select 2']);
  });
});
