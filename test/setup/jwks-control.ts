/**
 * Identity-provider key sets for the key-rotation tests, served by the control server:
 * `GET /jwks/<set>.json` answers the set's JWKS document (and counts the fetch),
 * `PUT /jwks/<set>` replaces its keys with the body's `{ keys: [...] }`,
 * `GET /jwks/<set>/stats` answers `{ fetches }`. Each test names its own set, so test files
 * running in parallel never share one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

interface KeySet {
  keys: unknown[];
  fetches: number;
}

const ROUTE = /^\/jwks\/([\w-]{1,64})(\.json|\/stats)?$/;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** A request handler; answers false for URLs that are not its own. */
export function jwksControl(): (req: IncomingMessage, res: ServerResponse) => boolean {
  const sets = new Map<string, KeySet>();
  const setOf = (name: string): KeySet => {
    const found = sets.get(name) ?? { keys: [], fetches: 0 };
    sets.set(name, found);
    return found;
  };
  return (req, res) => {
    const match = ROUTE.exec(req.url ?? '');
    if (!match?.[1]) return false;
    const set = setOf(match[1]);
    if (req.method === 'GET' && match[2] === '.json') {
      set.fetches += 1;
      json(res, 200, { keys: set.keys });
    } else if (req.method === 'GET' && match[2] === '/stats') {
      json(res, 200, { fetches: set.fetches });
    } else if (req.method === 'PUT' && match[2] === undefined) {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        set.keys = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { keys: unknown[] }).keys;
        res.writeHead(204).end();
      });
    } else {
      res.writeHead(405).end();
    }
    return true;
  };
}
