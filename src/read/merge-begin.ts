/**
 * One round trip fewer at the start of every tenant transaction. drizzle's `transaction()`
 * sends `begin …` as a query of its own, and withTenant's first statement (its set_config) is
 * another: two round trips before any work. `mergeBeginIntoNext` wraps one pooled client's
 * `query` so that a parameterless `begin …` is held back and sent in the same simple-protocol
 * message as the next parameterless statement: `begin read only; select set_config(…)`.
 * Postgres runs the statements of one message in order, and a BEGIN in it opens a transaction
 * that goes on after the message, exactly as two messages would. The held BEGIN is answered at
 * once with an empty result; the combined message answers with one result per statement, and
 * the caller of the second gets its own. A statement with parameters cannot share the message
 * (the extended protocol takes one statement), so a held BEGIN is then sent alone first.
 *
 * Why by hand: neither drizzle nor the driver can send a transaction's settings with its BEGIN.
 * Locally a round trip is about 1.5 ms, but under load each one waits 15-25 ms for the
 * isolate's thread, and in production it crosses the network to Neon (docs/performance.md).
 */
interface QueryShape {
  text?: unknown;
  values?: unknown;
}
type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;
/** The part of a pooled client this needs (the driver's `Client.query` is a set of overloads). */
export interface QueryClient {
  query: Query;
}

const BEGIN = /^\s*begin\b/i;

/** The SQL of a plain query (text or config object); undefined for anything else, such as a stream. */
function textOf(config: unknown): string | undefined {
  if (typeof config === 'string') return config;
  if (typeof (config as { submit?: unknown } | null)?.submit === 'function') return undefined;
  const text = (config as QueryShape | null)?.text;
  return typeof text === 'string' ? text : undefined;
}

function hasParams(config: unknown, values: unknown): boolean {
  const list = Array.isArray(values) ? values : (config as QueryShape | null)?.values;
  return Array.isArray(list) && list.length > 0;
}

/** The result for the caller of the second statement: the last of a multi-statement answer. */
const lastResult = (result: unknown): unknown => (Array.isArray(result) ? result.at(-1) : result);

const EMPTY_BEGIN = { command: 'BEGIN', rowCount: null, oid: null, rows: [], fields: [] };

/** Wraps `client.query` in place (once per client); see the module comment. */
export function mergeBeginIntoNext(client: QueryClient): void {
  const marked = client as QueryClient & { beginMerged?: true };
  if (marked.beginMerged) return;
  marked.beginMerged = true;
  const send = client.query.bind(client) as Query;
  let held: string | null = null;
  client.query = (config, values, callback) => {
    const text = textOf(config);
    const plain = text !== undefined && callback === undefined && typeof values !== 'function' && !hasParams(config, values);
    if (plain && held === null && BEGIN.test(text)) {
      held = text;
      return Promise.resolve(EMPTY_BEGIN);
    }
    if (held === null) return send(config, values, callback);
    const begin = held;
    held = null;
    if (plain) {
      const merged = `${begin}; ${text}`;
      const next = typeof config === 'string' ? merged : { ...(config as object), text: merged };
      return (send(next, values) as Promise<unknown>).then(lastResult);
    }
    if (callback !== undefined || typeof values === 'function') {
      // The callback form is not used by drizzle; keep it correct all the same.
      (send(begin) as Promise<unknown>).then(() => send(config, values, callback), (err: unknown) => {
        const cb = (typeof values === 'function' ? values : callback) as (err: unknown) => void;
        cb(err);
      });
      return undefined;
    }
    return (send(begin) as Promise<unknown>).then(() => send(config, values));
  };
}
