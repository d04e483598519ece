// Loads the typed stream client (src/client/stream.ts) into a Node script: esbuild bundles it
// in memory (it is TypeScript with extensionless imports, which Node cannot load as is).
import { build } from 'esbuild';
import path from 'node:path';
import { ROOT } from './dev-keys.mjs';

/** The module `src/client/stream.ts`, bundled for Node. */
export async function loadStreamClient() {
  const out = await build({
    entryPoints: [path.join(ROOT, 'src', 'client', 'stream.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    write: false,
    logLevel: 'error',
  });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
