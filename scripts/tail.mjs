#!/usr/bin/env node
// npm run tail -- [--tenant demo] [--after N] [--url http://127.0.0.1:8787] [--roles viewer]
// Prints a tenant's events live: the typed client (src/client/stream.ts) over the stream, with
// a dev token minted like `npm run token` (fresh for every reconnect). Ctrl-C stops it.
import WebSocket from 'ws';
import { flags } from './lib/args.mjs';
import { authSettings, loadOrCreateDevKey, mintToken } from './lib/dev-keys.mjs';
import { loadStreamClient } from './lib/load-client.mjs';

const f = flags({
  tenant: { type: 'string', default: 'demo' },
  after: { type: 'string', default: '0' },
  url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? '8787'}` },
  roles: { type: 'string', default: 'auditor' },
  sub: { type: 'string', default: 'tail' },
});
const after = Number(f.after);
if (!/^[A-Za-z0-9_-]{1,64}$/.test(f.tenant) || !Number.isSafeInteger(after) || after < 0) {
  console.error('--tenant must be 1-64 characters of A-Z a-z 0-9 _ -, --after a position ≥ 0');
  process.exit(2);
}

const { LedgerStream, bearerOpener } = await loadStreamClient();
const { privateJwk } = await loadOrCreateDevKey();
const roles = f.roles
  .split(',')
  .map((r) => r.trim())
  .filter(Boolean);
const token = () =>
  mintToken({
    privateJwk,
    tenant: f.tenant,
    roles,
    sub: f.sub,
    ttlSeconds: 3600,
    ...authSettings(),
  });

const status = (s) => {
  if (s.type === 'connecting')
    console.error(`· connecting to ${f.url} (tenant ${f.tenant}) after ${s.after}`);
  if (s.type === 'caught_up')
    console.error(`· caught up at ${s.position}; waiting for new events (Ctrl-C stops)`);
  if (s.type === 'closed')
    console.error(
      `· closed ${s.code}${s.reason ? ` (${s.reason})` : ''}; reconnecting in ${s.retryInMs} ms`,
    );
};
const stream = new LedgerStream({
  baseUrl: f.url,
  after,
  open: bearerOpener(token, WebSocket),
  onStatus: status,
});
process.once('SIGINT', () => stream.stop());
process.once('SIGTERM', () => stream.stop());

for await (const { position, event } of stream) {
  const who = event.actor ? ` by ${event.actor}` : '';
  console.log(
    `${String(position).padStart(6)}  ${event.at}  ${event.type.padEnd(24)} ${event.streamId}${who}`,
  );
}
