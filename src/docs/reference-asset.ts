/**
 * The API reference's script, served by this Worker: the browser build of
 * `@scalar/api-reference` at the version package-lock.json pins, under a URL that carries a hash
 * of its bytes, cached by browsers for a year as immutable. A new version of the package is a
 * new URL, so no browser keeps running an old one; an unknown name is a 404.
 *
 * Bundled into the Worker (a Data module, wrangler.toml `[[rules]]`) rather than served as
 * Workers static assets: the same Worker bundle then carries its own reference everywhere it
 * runs — `wrangler dev`, the Vitest integration, the bench's Miniflare, each version of a split
 * rollout — with no copy step into an assets directory that each of those would need first.
 * The cost: about 1.4 MB of the compressed upload (the limit is 3 MB on Workers Free, 10 MB on
 * Paid) and one Worker request per browser for the script, which is then cached.
 */
import bundle from './scalar-standalone.js';

/** Where the reference's script lives; the file name carries the hash. */
export const REFERENCE_ASSETS_PATH = '/docs/assets';
/** Hex characters of the SHA-256 kept in the file name (64 bits: a new version never collides). */
const HASH_CHARS = 16;

/**
 * One line run before the bundle. The zod (v4) inside it probes whether `Function('')` works
 * and the page's CSP refuses it (no 'unsafe-eval'): a CSP violation on every load, harmless
 * but noise that would hide a real one. zod reads `globalThis.__zod_globalConfig`, and
 * `jitless` skips the probe (and the code generation it would enable).
 */
const PRELUDE =
  'globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig || {}, { jitless: true });\n';

/** Headers of the script: JavaScript (`nosniff` is on), immutable for a year. */
export const REFERENCE_SCRIPT_HEADERS = {
  'Content-Type': 'text/javascript; charset=utf-8',
  'Cache-Control': 'public, max-age=31536000, immutable',
} as const;

export interface ReferenceScript {
  /** `scalar-<hash>.js`: the first 16 hex characters of the SHA-256 of `body`. */
  name: string;
  /** The URL path the docs page loads it from. */
  path: string;
  /** The prelude, then the bundle (a response body copies it: test/integration/api-docs.test.ts asks twice). */
  body: Uint8Array<ArrayBuffer>;
}

let script: Promise<ReferenceScript> | undefined;

/** The script as served, assembled and hashed once per isolate. */
export function referenceScript(): Promise<ReferenceScript> {
  return (script ??= assemble());
}

async function assemble(): Promise<ReferenceScript> {
  const prelude = new TextEncoder().encode(PRELUDE);
  const body = new Uint8Array(prelude.byteLength + bundle.byteLength);
  body.set(prelude);
  body.set(new Uint8Array(bundle), prelude.byteLength);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  const name = `scalar-${hex.slice(0, HASH_CHARS)}.js`;
  return { name, path: `${REFERENCE_ASSETS_PATH}/${name}`, body };
}
