/**
 * Node-side setup for the Workers test projects: starts the read-model database behind
 * the WebSocket bridge (PGlite for `workers`, a throwaway PostgreSQL 15 cluster for
 * `workers-pg15`), applies migrations, makes a signing key pair for test tokens, and a
 * small control server on 127.0.0.1 that tests use to cut, freeze and restore the bridge and to
 * publish and rotate identity-provider key sets (./jwks-control.ts).
 * Everything it starts is stopped in the returned teardown.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { startDbStack } from '../../scripts/lib/db-stack.mjs';
import { runMigrations } from '../../scripts/lib/migrate.mjs';
import { newKeyPair } from '../../scripts/lib/dev-keys.mjs';
import { jwksControl } from './jwks-control';

declare module 'vitest' {
  export interface ProvidedContext {
    wsPort: number;
    databaseUrl: string;
    publicJwk: string;
    privateJwk: string;
    controlUrl: string;
    dbBackend: string;
  }
}

export default async function setup(project: TestProject) {
  const backend = project.name === 'workers-pg15' ? 'postgres-temp' : 'pglite';
  const stack = await startDbStack({ backend });
  await runMigrations(stack);
  const { publicJwk, privateJwk } = await newKeyPair('test-key');

  const jwks = jwksControl();
  const control = http.createServer((req, res) => {
    if (jwks(req, res)) return;
    // Cut, restore, freeze or thaw the connections that send `match` (a tenant id, or an
    // application_name): only that tenant's work fails or hangs, so suites running beside it
    // are unaffected. A cut is an outage; a freeze, a database stopped mid-statement.
    const url = new URL(req.url ?? '/', 'http://control');
    const match = url.searchParams.get('match');
    const actions: Record<string, (m: string) => void> = {
      '/bridge/cut': (m) => stack.bridge.cut(m),
      '/bridge/restore': (m) => stack.bridge.restore(m),
      '/bridge/freeze': (m) => stack.bridge.freeze(m),
      '/bridge/thaw': (m) => stack.bridge.thaw(m),
    };
    const action = actions[url.pathname];
    if (req.method === 'POST' && action && match) {
      action(match);
      res.writeHead(204).end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));

  project.provide('wsPort', stack.wsPort);
  project.provide('databaseUrl', stack.databaseUrl);
  project.provide('publicJwk', JSON.stringify(publicJwk));
  project.provide('privateJwk', JSON.stringify(privateJwk));
  project.provide('controlUrl', `http://127.0.0.1:${(control.address() as AddressInfo).port}`);
  project.provide('dbBackend', backend);

  return async () => {
    await new Promise((resolve) => control.close(resolve));
    await stack.stop();
  };
}
