#!/usr/bin/env node
// The rehearsal's `wrangler` (put first on PATH by rehearse.mjs): the subset of commands the
// controller runs, with wrangler's argument shapes, answered by the local platform
// (REHEARSAL_CONTROL_URL). Like wrangler, it appends ND-JSON entries (version-upload,
// version-deploy) to WRANGLER_OUTPUT_FILE_PATH and prints JSON for `--json`.
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const base = process.env.REHEARSAL_CONTROL_URL;
const { positionals, values } = parseArgs({
  allowPositionals: true,
  strict: true,
  options: {
    env: { type: 'string' },
    tag: { type: 'string' },
    message: { type: 'string' },
    json: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  },
});

function output(entry) {
  if (process.env.WRANGLER_OUTPUT_FILE_PATH)
    appendFileSync(
      process.env.WRANGLER_OUTPUT_FILE_PATH,
      `${JSON.stringify({ ...entry, version: 1, timestamp: new Date().toISOString() })}\n`,
    );
}

async function call(method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const out = await res.json();
  if (!res.ok) throw new Error(out.error ?? `status ${res.status}`);
  return out;
}

const [a, b, ...rest] = positionals;
try {
  if (!base) throw new Error('REHEARSAL_CONTROL_URL is not set');
  if (a === 'deployments' && b === 'status' && values.json) {
    console.log(JSON.stringify(await call('GET', '/status'), null, 2));
  } else if (a === 'versions' && b === 'view' && rest.length === 1 && values.json) {
    console.log(
      JSON.stringify(await call('GET', `/versions/${encodeURIComponent(rest[0])}`), null, 2),
    );
  } else if (a === 'versions' && b === 'upload' && values.tag) {
    const r = await call('POST', '/upload', { tag: values.tag, message: values.message ?? '' });
    output({
      type: 'version-upload',
      worker_name: r.worker_name,
      worker_tag: null,
      version_id: r.version_id,
      wrangler_environment: values.env ?? null,
      worker_name_overridden: false,
    });
    console.log(`Uploaded ${r.worker_name} (version ${r.version_id})`);
  } else if (
    (a === 'versions' && b === 'deploy' && values.yes) ||
    (a === 'rollback' && values.yes)
  ) {
    const specs = a === 'rollback' ? [`${b}@100%`] : rest;
    const list = specs.map((s) => {
      const m = /^([A-Za-z0-9-]+)@(\d{1,3})%$/.exec(s);
      if (!m) throw new Error(`bad version spec ${s}`);
      return { id: m[1], percentage: Number(m[2]) };
    });
    const r = await call('PUT', '/deploy', list);
    output({
      type: 'version-deploy',
      worker_name: r.worker_name,
      worker_tag: null,
      deployment_id: r.deployment_id,
      version_traffic: {},
    });
    console.log(`Deployed ${specs.join(' ')}`);
  } else {
    throw new Error(`the rehearsal wrangler does not know: ${process.argv.slice(2).join(' ')}`);
  }
} catch (err) {
  console.error(`✘ [ERROR] ${err.message}`);
  process.exit(1);
}
