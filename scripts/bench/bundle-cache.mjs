// A bundle built once per `npm test` run: several tooling suites serve the Worker "as built
// for deploy" (`wrangler deploy --dry-run`, ~3 s each on 2 cores). scripts/test.mjs points
// FINANCE_EDGE_BUNDLE_CACHE at a directory of its own that it removes when the run ends;
// unset (the bench, `npm run load`), every caller builds afresh. Entries are keyed by a hash
// of everything the build reads (src, durable-objects, wrangler.toml, tsconfig.json and the
// lockfile), so an edit during a run is built again, never served stale.
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../lib/dev-keys.mjs';
import { lockOrReady } from '../lib/run-lock.mjs';

const TREES = ['src', 'durable-objects'];
const FILES = ['wrangler.toml', 'tsconfig.json', 'package-lock.json'];

function inputsHash() {
  const hash = createHash('sha256');
  const add = (rel) => {
    hash
      .update(rel)
      .update('\0')
      .update(readFileSync(path.join(ROOT, rel)))
      .update('\0');
  };
  for (const tree of TREES)
    readdirSync(path.join(ROOT, tree), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
      .sort()
      .forEach(add);
  FILES.forEach(add);
  return hash.digest('hex').slice(0, 16);
}

/**
 * `build(dir)` fills a fresh directory with the bundle. With the cache on, the first call of
 * a run builds into the cache and every call gets its own copy (callers delete theirs).
 * Returns the directory to use, or null when the cache is off.
 */
export async function cachedBundle(build) {
  const root = process.env.FINANCE_EDGE_BUNDLE_CACHE;
  if (!root) return null;
  const key = inputsHash();
  const entry = path.join(root, key);
  const release = await lockOrReady(`${entry}.lock`, () =>
    existsSync(path.join(entry, 'index.js')),
  );
  if (!release) return copyOf(entry);
  try {
    return (await buildEntry(root, key, entry, build)) ?? copyOf(entry);
  } finally {
    release();
  }
}

/** Builds into the cache; returns the fresh directory itself when it is not stored. */
async function buildEntry(root, key, entry, build) {
  const fresh = mkdtempSync(path.join(root, 'building-'));
  await build(fresh);
  // An edit during the build: this build is this caller's alone, never stored.
  if (inputsHash() !== key) return fresh;
  // A build beside a dead builder's lock may finish second: the first rename wins.
  try {
    renameSync(fresh, entry);
  } catch {
    rmSync(fresh, { recursive: true, force: true });
  }
  return null;
}

/** Every caller gets its own copy (callers delete theirs). */
function copyOf(entry) {
  const copy = mkdtempSync(path.join(tmpdir(), 'finance-edge-bundle-'));
  cpSync(entry, copy, { recursive: true });
  return copy;
}
