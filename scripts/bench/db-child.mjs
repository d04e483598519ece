// The read-model database for the bench, in its own Node process: PGlite (WebAssembly) and the
// WebSocket bridge do real work while the projection drains, and in the bench process they
// would share one event loop with the load generator and skew its latencies.
// Protocol (IPC): parent sends 'pause' | 'resume' | 'stop'; child sends
// { type: 'ready', wsPort, databaseUrl, backend } or { type: 'error', message }.
import { startDbStack } from '../lib/db-stack.mjs';
import { runMigrations } from '../lib/migrate.mjs';

const backend = process.argv[2] ?? 'pglite';
let stack = null;
let stopping = false;

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await stack?.stop().catch(() => {});
  process.exit(code);
}

process.on('disconnect', () => stop(0)); // the parent went away: never outlive it
process.on('SIGINT', () => {}); // Ctrl-C reaches the whole group; the parent stops us in order
process.on('SIGTERM', () => stop(0));
process.on('message', (msg) => {
  if (msg === 'pause') stack?.bridge.setPaused(true);
  else if (msg === 'resume') stack?.bridge.setPaused(false);
  else if (msg === 'stop') stop(0);
  if (msg === 'pause' || msg === 'resume') process.send?.({ type: 'ack', msg });
});

try {
  // In memory (dataDir null): every bench run starts from an empty read model.
  stack = await startDbStack({ backend, dataDir: null, wsPort: 0 });
  await runMigrations(stack);
  process.send?.({ type: 'ready', wsPort: stack.wsPort, databaseUrl: stack.databaseUrl, backend: stack.backend });
} catch (err) {
  process.send?.({ type: 'error', message: String(err?.stack ?? err) });
  await stop(1);
}
