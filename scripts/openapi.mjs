#!/usr/bin/env node
// node scripts/openapi.mjs [out.json] [--root DIR]: writes the OpenAPI document the Worker
// serves at /openapi.json, built without a server: the app (src/app.ts) is bundled for Node
// with esbuild and its document generated in-process (src/routes/docs.ts `openApiDocument`).
// The lint step (scripts/lint/run.mjs) lints this file with Redocly and Spectral.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');

/** A wrangler glob (e.g. two stars, a slash, then dir/file.js) as a regular expression over paths. */
function globToRegExp(glob) {
  const body = glob
    .split('**/')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*'))
    .join('(?:.*/)?');
  return new RegExp(`(?:^|/)${body}$`);
}

/**
 * wrangler.toml's module rules (`[[rules]] type = "Data" | "Text"`), so files the Worker
 * imports as bytes or text bundle here as they do for wrangler.
 */
function wranglerRules(root) {
  let toml = '';
  try {
    toml = readFileSync(path.join(root, 'wrangler.toml'), 'utf8');
  } catch {
    return [];
  }
  const rules = [];
  for (const block of toml.split(/^\[\[rules\]\]\s*$/m).slice(1)) {
    const type = /^type\s*=\s*"(\w+)"/m.exec(block)?.[1];
    const globs = /^globs\s*=\s*\[([^\]]*)\]/m.exec(block)?.[1];
    if (!type || !globs || !['Data', 'Text'].includes(type)) continue;
    for (const glob of globs.matchAll(/"([^"]+)"/g))
      rules.push({ filter: globToRegExp(glob[1]), loader: type === 'Data' ? 'binary' : 'text' });
  }
  return rules;
}

/** The served document of the app under `root` (default: this checkout), as a JS object. */
export async function buildDocument(root = ROOT) {
  const result = await build({
    stdin: {
      contents:
        "import { createApp } from './src/app'; import { openApiDocument } from './src/routes/docs'; export const document = openApiDocument(createApp());",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    write: false,
    logLevel: 'error',
    nodePaths: [path.join(ROOT, 'node_modules')],
    plugins: [
      {
        name: 'wrangler-module-rules',
        setup(b) {
          for (const rule of wranglerRules(root))
            b.onLoad({ filter: rule.filter }, (args) => ({
              contents: readFileSync(args.path),
              loader: rule.loader,
            }));
        },
      },
    ],
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'finance-edge-openapi-'));
  try {
    const file = path.join(dir, 'document.mjs');
    writeFileSync(file, result.outputFiles[0].text);
    const { document } = await import(pathToFileURL(file).href);
    return document;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const rootAt = args.indexOf('--root');
  const root = rootAt >= 0 ? path.resolve(args[rootAt + 1]) : ROOT;
  const out = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--root');
  const text = `${JSON.stringify(await buildDocument(root), null, 2)}\n`;
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}
