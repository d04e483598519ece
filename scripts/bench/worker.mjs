// Builds the Worker exactly as `wrangler deploy` would (dry run, bundle only) and serves the
// bundle through Miniflare's own API — no `wrangler dev` and no Node proxy in front of
// workerd, so the figures are the Worker's and not the dev server's (see docs/performance.md).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../lib/dev-keys.mjs';
import { cachedBundle } from './bundle-cache.mjs';
import { plain } from './load.mjs';

const BIN = path.join(ROOT, 'node_modules', '.bin');

/**
 * Runs `wrangler deploy --dry-run --outdir <tmp>`; returns the bundle directory and entry. Under
 * `npm test`, a copy of the run's one build (bundle-cache.mjs).
 */
export async function buildBundle(outDir) {
  const cached = outDir ? null : await cachedBundle(build);
  if (cached)
    return { dir: cached, entry: path.join(cached, 'index.js'), files: readdirSync(cached) };
  return build(outDir);
}

async function build(outDir) {
  const out = outDir ?? mkdtempSync(path.join(tmpdir(), 'finance-edge-bundle-'));
  const args = [
    'deploy',
    '--dry-run',
    '--outdir',
    out,
    '--config',
    path.join(ROOT, 'wrangler.toml'),
  ];
  const { code, output } = await run(path.join(BIN, 'wrangler'), args);
  const entry = path.join(out, 'index.js');
  if (code !== 0 || !existsSync(entry)) {
    if (!outDir) rmSync(out, { recursive: true, force: true });
    throw new Error(
      `wrangler deploy --dry-run failed (exit ${code}):\n${output.split('\n').slice(-25).join('\n')}`,
    );
  }
  return { dir: out, entry, files: readdirSync(out) };
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // node_modules/.bin first: wrangler 4.164 needs the Node 22 that the `node` devDependency installs.
      env: {
        ...process.env,
        PATH: `${BIN}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
        WRANGLER_SEND_METRICS: 'false',
        NO_COLOR: '1',
        FORCE_COLOR: '0',
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** wrangler.toml, normalised by wrangler itself (the same reader `wrangler deploy` uses). */
export async function readWranglerConfig() {
  const { unstable_readConfig } = await import('wrangler');
  return unstable_readConfig({ config: path.join(ROOT, 'wrangler.toml') });
}

/** Where and how every bench Miniflare listens: loopback, a free port, no dev registry, quiet. */
export const MINIFLARE_HOST = {
  host: '127.0.0.1',
  port: 0,
  enableDevRegistry: false,
  logRequests: false,
  telemetry: { enabled: false },
};

/**
 * Miniflare 5 options for the built bundle with the bindings of wrangler.toml. Miniflare 5
 * takes `workers: [{ config: { manifest, env, exports, ... }, dev }]` (4.x had flat
 * `scriptPath` / `bindings` / `durableObjects` / `kvNamespaces`).
 * @param {{ config: any, bundle: { dir: string, entry: string }, vars: Record<string, string>,
 *   persistDir?: string, seeder?: boolean, onLog?: (log: { level: string, message: string }) => void }} o
 */
export function miniflareOptions(o) {
  const { config } = o;
  const name = config.name;
  const sqliteClasses = new Set(
    (config.migrations ?? []).flatMap((m) => m.new_sqlite_classes ?? []),
  );
  /** @type {Record<string, any>} */
  const env = {};
  for (const [k, v] of Object.entries({ ...(config.vars ?? {}), ...o.vars })) {
    env[k] = typeof v === 'string' ? { type: 'text', value: v } : { type: 'json', value: v };
  }
  /** @type {Record<string, any>} */
  const exportsDecl = {};
  for (const b of config.durable_objects?.bindings ?? []) {
    env[b.name] = { type: 'durable-object', worker: name, exportName: b.class_name };
    exportsDecl[b.class_name] = {
      type: 'durable-object',
      storage: sqliteClasses.has(b.class_name) ? 'sqlite' : 'legacy-kv',
    };
  }
  for (const k of config.kv_namespaces ?? []) env[k.binding] = { type: 'kv', id: k.id };
  if (config.version_metadata?.binding)
    env[config.version_metadata.binding] = { type: 'version-metadata' };

  const modules = {};
  for (const file of readdirSync(o.bundle.dir)) {
    const type = moduleType(file, config.rules ?? []);
    const contents = readFileSync(path.join(o.bundle.dir, file));
    if (type === 'esm') modules[file] = { type, contents: contents.toString('utf8') };
    else if (type)
      modules[file] = {
        type,
        contents: type === 'text' ? contents.toString('utf8') : new Uint8Array(contents),
      };
  }
  return {
    ...MINIFLARE_HOST,
    // Unset = ephemeral storage, removed on dispose(). Set = survives a dispose/recreate ("cold" loads).
    ...(o.persistDir ? { resourcePersistencePath: o.persistDir } : {}),
    handleStructuredLogs: o.onLog ?? (() => {}),
    workers: [
      {
        config: {
          name,
          compatibilityDate: config.compatibility_date,
          compatibilityFlags: config.compatibility_flags ?? [],
          manifest: { mainModule: path.basename(o.bundle.entry), modules },
          env,
          exports: exportsDecl,
        },
        dev: { rootPath: ROOT, unsafeRegisterWorker: false },
      },
      // The first Worker receives HTTP; the seeder is reached only through mf.getWorker().
      ...(o.seeder ? [seederWorker(name, config)] : []),
    ],
  };
}

/** Miniflare's module types for wrangler's rule types. */
const RULE_TYPES = { Data: 'data', Text: 'text', CompiledWasm: 'wasm' };

/**
 * The Miniflare module type of a file in wrangler's `--outdir`: a module a wrangler.toml rule
 * collected (written as `<sha1>-<its file name>`, e.g. the reference's bundle, a Data module)
 * takes the rule's type; other .js/.mjs files are the bundle's ES modules; .wasm is wasm.
 */
function moduleType(file, rules) {
  const collected = /^[0-9a-f]{40}-(.+)$/.exec(file)?.[1];
  const rule =
    collected &&
    rules.find((r) => (r.globs ?? []).some((g) => g === collected || g.endsWith(`/${collected}`)));
  if (rule) return RULE_TYPES[rule.type];
  if (file.endsWith('.js') || file.endsWith('.mjs')) return 'esm';
  if (file.endsWith('.wasm')) return 'wasm';
  return undefined;
}

export const SEEDER = 'bench-seeder';

/** scripts/bench/seeder-worker.mjs, bound to the real Worker's TenantLedger class. */
function seederWorker(target, config) {
  const file = path.join(import.meta.dirname, 'seeder-worker.mjs');
  const env = { LEDGER: { type: 'durable-object', worker: target, exportName: 'TenantLedger' } };
  return {
    config: {
      name: SEEDER,
      compatibilityDate: config.compatibility_date,
      manifest: {
        mainModule: 'seeder-worker.mjs',
        modules: { 'seeder-worker.mjs': { type: 'esm', contents: readFileSync(file, 'utf8') } },
      },
      env,
    },
    dev: { rootPath: ROOT, unsafeRegisterWorker: false },
  };
}

/**
 * A running Worker: `url` (Miniflare's `ready` URL), `mf`, `logs` (warn/error lines kept for the
 * report), `dispose()` (idempotent).
 */
export async function startWorker({ config, bundle, vars, persistDir, seeder = false }) {
  const { Miniflare } = await import('miniflare');
  const logs = { counts: {}, recent: [] };
  const onLog = (l) => {
    logs.counts[l.level] = (logs.counts[l.level] ?? 0) + 1;
    if (l.level === 'warn' || l.level === 'error') {
      logs.recent.push(l.message.slice(0, 400));
      if (logs.recent.length > 20) logs.recent.shift();
    }
  };
  const mf = new Miniflare(miniflareOptions({ config, bundle, vars, persistDir, seeder, onLog }));
  return tracked(mf, {
    logs,
    /** POSTs a scenario to the seeder Worker (started with `seeder: true`); throws on its errors. */
    async seed(scenario, body) {
      const fetcher = await mf.getWorker(SEEDER);
      const res = await fetcher.fetch(`http://seeder/${scenario}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      const out = await res.json();
      if (!res.ok) throw new Error(`seeder /${scenario} failed: ${out.error ?? res.status}`);
      return plain(out);
    },
    /** The tenant's ledger stub (RPC from Node; results are proxies until copied). */
    async ledger(tenant) {
      const ns = await mf.getDurableObjectNamespace('TENANT_LEDGER');
      return ns.get(ns.idFromName(tenant));
    },
  });
}

/**
 * A Miniflare registered for the bench's cleanup (`live`), once ready: `{ mf, url, dispose() }`
 * plus `extra`. `dispose()` is idempotent; a Miniflare that fails to start is disposed.
 */
export async function tracked(mf, extra = {}) {
  let disposed = false;
  const handle = {
    ...extra,
    mf,
    url: null,
    async dispose() {
      if (disposed) return;
      disposed = true;
      live.delete(handle);
      await mf.dispose().catch(() => {});
    },
  };
  live.add(handle);
  try {
    const ready = await mf.ready;
    handle.url = ready.href.replace(/\/$/, '');
  } catch (err) {
    await handle.dispose();
    throw err;
  }
  return handle;
}

/** Every Miniflare this process started and has not disposed yet (for cleanup on errors/SIGINT). */
export const live = new Set();

export async function disposeAll() {
  await Promise.all([...live].map((h) => h.dispose()));
}
