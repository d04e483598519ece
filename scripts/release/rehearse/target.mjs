// The rehearsal's local "platform": one Miniflare with the splitter (the HTTP entry), one
// Worker per uploaded version (the same built bundle, each with its own version metadata and
// vars, e.g. an injected fault), and the Analytics Engine sink. The Durable Object classes are
// hosted by the base version only and every version binds to them, so each tenant's ledger
// object runs on exactly one version at a time, whatever the split (on the platform an object
// follows the deployment instead; see docs/runbook.md, "Durable Objects and websockets during
// a split").
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../lib/dev-keys.mjs';
import { miniflareOptions, tracked } from '../../bench/worker.mjs';

const SPLITTER = 'rehearsal-splitter';
const SINK = 'rehearsal-sink';
const here = (file) => readFileSync(path.join(import.meta.dirname, file), 'utf8');
const binding = (id) => `V_${id.replaceAll('-', '_')}`;
const workerOf = (id) => `version-${id}`;

/**
 * A version Worker's config: the bundle under canary-main.mjs, its own version metadata, the
 * sink for telemetry, and (except for the base) the base version's Durable Objects.
 */
function versionWorker(base, version, isBase, hostName) {
  const opts = miniflareOptions({
    config: base.config,
    bundle: base.bundle,
    vars: { ...base.vars, ...version.vars },
  });
  const w = opts.workers[0];
  w.config.name = workerOf(version.id);
  w.config.manifest.modules['canary-main.mjs'] = { type: 'esm', contents: here('canary-main.mjs') };
  w.config.manifest.mainModule = 'canary-main.mjs';
  const env = w.config.env;
  env.CF_VERSION_METADATA = {
    type: 'json',
    value: { id: version.id, tag: version.tag, timestamp: new Date().toISOString() },
  };
  env.REQUEST_METRICS = {
    type: 'worker',
    worker: SINK,
    exportName: 'Dataset',
    props: { dataset: 'requests' },
  };
  env.LEDGER_METRICS = {
    type: 'worker',
    worker: SINK,
    exportName: 'Dataset',
    props: { dataset: 'ledger' },
  };
  if (isBase) {
    // Hosts the classes; its own bindings must name its new worker name.
    for (const [name, b] of Object.entries(env))
      if (b?.type === 'durable-object') env[name] = { ...b, worker: w.config.name };
  } else {
    for (const [name, b] of Object.entries(env))
      if (b?.type === 'durable-object') env[name] = { ...b, worker: hostName };
    delete w.config.exports;
  }
  return { worker: w, host: opts };
}

/**
 * Starts the local platform with every version it will serve (all known up front: an
 * "upload" hands out one of them). Returns `{ url, setDeployment, drainPoints, versions, dispose }`.
 * @param {{ base: { config: any, bundle: any, vars: Record<string,string> }, versions: { id: string, tag: string, vars: Record<string,string> }[] }} o
 */
export async function startTarget(o) {
  const { Miniflare } = await import('miniflare');
  const controlToken = randomBytes(16).toString('hex');
  const hostName = workerOf(o.versions[0].id);
  const built = o.versions.map((v, i) => versionWorker(o.base, v, i === 0, hostName));
  const host = built[0].host;
  const compat = {
    compatibilityDate: o.base.config.compatibility_date,
    compatibilityFlags: o.base.config.compatibility_flags ?? [],
  };
  const splitterEnv = {
    WORKER_NAME: { type: 'text', value: o.base.config.name },
    CONTROL_TOKEN: { type: 'text', value: controlToken },
  };
  for (const v of o.versions)
    splitterEnv[binding(v.id)] = { type: 'worker', worker: workerOf(v.id) };
  const dev = { rootPath: ROOT, unsafeRegisterWorker: false };
  const mf = new Miniflare({
    ...host,
    workers: [
      {
        config: {
          name: SPLITTER,
          ...compat,
          manifest: {
            mainModule: 'splitter.mjs',
            modules: { 'splitter.mjs': { type: 'esm', contents: here('splitter-worker.mjs') } },
          },
          env: splitterEnv,
        },
        dev,
      },
      ...built.map((b) => b.worker),
      {
        config: {
          name: SINK,
          ...compat,
          manifest: {
            mainModule: 'sink.mjs',
            modules: { 'sink.mjs': { type: 'esm', contents: here('sink-worker.mjs') } },
          },
        },
        dev,
      },
    ],
  });
  const handle = await tracked(mf);
  return {
    url: handle.url,
    controlToken,
    async setDeployment(versions) {
      const res = await fetch(`${handle.url}/__rehearsal/deployment`, {
        method: 'PUT',
        headers: { 'X-Rehearsal-Control': controlToken, 'Content-Type': 'application/json' },
        body: JSON.stringify(versions),
      });
      if (!res.ok) throw new Error(`splitter refused the deployment: ${res.status}`);
    },
    async drainPoints() {
      const sink = await mf.getWorker(SINK);
      const res = await sink.fetch('http://sink/drain');
      return res.json();
    },
    dispose: () => handle.dispose(),
  };
}

/** A fresh version id (the platform's are UUIDs). */
export const newVersionId = () => randomUUID();
