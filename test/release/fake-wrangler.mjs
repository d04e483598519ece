#!/usr/bin/env node
// A fake `wrangler` for the release tests (installed first on PATH by helpers.ts): appends its
// argument list to FAKE_WRANGLER_LOG, writes the recorded ND-JSON fixtures to
// WRANGLER_OUTPUT_FILE_PATH as wrangler does, and answers `deployments status --json` /
// `versions view --json` / `secret list` from FAKE_WRANGLER_STATUS / FAKE_WRANGLER_TAG /
// FAKE_WRANGLER_SECRETS (comma-separated names). An argument list
// matching FAKE_WRANGLER_FAIL (a regex over the joined args) exits 1. Never touches the network.
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const fixtures = path.join(import.meta.dirname, 'fixtures');
appendFileSync(process.env.FAKE_WRANGLER_LOG, `${JSON.stringify(args)}\n`);
const copy = (file) =>
  appendFileSync(
    process.env.WRANGLER_OUTPUT_FILE_PATH,
    readFileSync(path.join(fixtures, file), 'utf8'),
  );

if (
  process.env.FAKE_WRANGLER_FAIL &&
  new RegExp(process.env.FAKE_WRANGLER_FAIL).test(args.join(' '))
) {
  console.error('✘ [ERROR] A request to the Cloudflare API failed. (fake)');
  process.exit(1);
}
const [a, b] = args;
if (a === 'versions' && b === 'upload') {
  copy(process.env.FAKE_WRANGLER_UPLOAD ?? 'wrangler-upload.ndjson');
  console.log('Worker Version ID: printed for humans only');
} else if ((a === 'versions' && b === 'deploy') || a === 'rollback') {
  copy('wrangler-deploy.ndjson');
} else if (a === 'deployments' && b === 'status') {
  console.log(process.env.FAKE_WRANGLER_STATUS ?? '');
} else if (a === 'secret' && b === 'list') {
  console.log(
    JSON.stringify(
      (process.env.FAKE_WRANGLER_SECRETS ?? '')
        .split(',')
        .filter(Boolean)
        .map((name) => ({ name, type: 'secret_text' })),
      null,
      '  ',
    ),
  );
} else if (a === 'versions' && b === 'view') {
  console.log(
    JSON.stringify({
      id: args[2],
      annotations: { 'workers/tag': process.env.FAKE_WRANGLER_TAG ?? '' },
    }),
  );
} else {
  console.error(`fake wrangler: unexpected ${args.join(' ')}`);
  process.exit(1);
}
