// The variants of scripts/bench/hitpath.mjs: text patches of the built bundle, each taking
// one piece of the hit path out (a pattern must match exactly once, or the run stops), and
// the entry that runs the app in a loop inside the isolate (`--inproc`).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onCleanup } from './stack.mjs';

/** `[pattern, replacement]` pairs applied to the bundle's index.js; each must match once. */
export const VARIANTS = {
  baseline: [],
  'no-request-log': [['.use(requestLog)', '']],
  'no-request-metrics': [['.use(requestMetrics)', '']],
  'no-edge-guards': [
    ['.use(securityHeaders).use(corsPolicy).use(csrfWhenCookie).use(requestTimeout)', ''],
  ],
  'no-principal-limit': [['authenticate, limitPrincipal, guardBody)', 'authenticate, guardBody)']],
  'no-auth-failure-count': [['.use("/v1/*", countAuthFailures)', '']],
  'no-compress-middleware': [['.use("/v1/*", compressJson)', '']],
  'no-body-guards': [['authenticate, limitPrincipal, guardBody)', 'authenticate, limitPrincipal)']],
  // The HIT answers "{}" with its usual headers: what the body's size costs.
  'tiny-body': [
    [
      'return gzipped ? gzippedResponse(c, gzipped, headers) : c.body(entry.json, 200, headers);',
      'return c.body("{}", 200, headers);',
    ],
  ],
  // A trivial handler behind the whole /v1 chain (auth, limits): what the route itself costs.
  'v1-ping': [
    ['.route("/v1/me", me)', '.get("/v1/ping", (c) => c.json({ ok: true })).route("/v1/me", me)'],
    ['  assertRoutesGuarded(root);\n', ''],
  ],
  // Not a timing: warns once per config parse and per signature check (counted as warn logs).
  'count-slow-paths': [
    [
      'const raw2 = Object.fromEntries(',
      'console.warn("hitpath: config parsed"); const raw2 = Object.fromEntries(',
    ],
    [
      'if (hit && hit.config === config2 && Date.now() < hit.until) return hit.principal;',
      'if (hit && hit.config === config2 && Date.now() < hit.until) return hit.principal; console.warn("hitpath: token verified");',
    ],
  ],
};
/** Variants that measure another path than the list. */
export const PATHS = { 'v1-ping': '/v1/ping' };

/**
 * `--inproc N`: no sockets. The bundle's entry also answers `/__hitpath?p=<path>&n=N` by
 * calling the app N times in a row with the request's headers (in the isolate, no network,
 * no Miniflare entry hop); workerd's CPU for that one request ÷ N is the app's own cost.
 */
const INPROC_ENTRY = [
  'var index_default = {\n  fetch: app.fetch\n};',
  `var index_default = {
  async fetch(req, env, ctx) {
    const u = new URL(req.url);
    if (u.pathname !== "/__hitpath") return app.fetch(req, env, ctx);
    const n = Number(u.searchParams.get("n"));
    const target = new URL(u.searchParams.get("p"), req.url);
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const r = await app.fetch(new Request(target, { headers: req.headers }), env, ctx);
      await r.arrayBuffer();
      if (r.status === 200) ok++;
    }
    return new Response(String(ok));
  }
};`,
];
/** A copy of the bundle with the variant's patches (and the in-isolate loop entry, if asked). */
export function patchedBundle(bundle, name, loop) {
  const dir = mkdtempSync(path.join(tmpdir(), `finance-edge-hitpath-${name}-`));
  onCleanup(
    async () => rmSync(dir, { recursive: true, force: true }),
    () => rmSync(dir, { recursive: true, force: true }),
  );
  cpSync(bundle.dir, dir, { recursive: true });
  const entry = path.join(dir, path.basename(bundle.entry));
  let src = readFileSync(entry, 'utf8');
  for (const [from, to] of [...VARIANTS[name], ...(loop ? [INPROC_ENTRY] : [])]) {
    const at = src.indexOf(from);
    if (at < 0 || src.indexOf(from, at + 1) >= 0)
      throw new Error(`variant ${name}: pattern ${JSON.stringify(from)} does not match once`);
    src = src.slice(0, at) + to + src.slice(at + from.length);
  }
  writeFileSync(entry, src);
  return { dir, entry };
}
