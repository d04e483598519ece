// Resolves `k6` and `k6/...` imports of a script to this runner's small stand-ins
// (k6-shim/); any other k6 module fails loudly instead of half-working.
import { registerHooks } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const SHIMS = {
  k6: 'k6.mjs',
  'k6/http': 'http.mjs',
  'k6/metrics': 'metrics.mjs',
  'k6/timers': 'timers.mjs',
  'k6/websockets': 'websockets.mjs',
};

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier !== 'k6' && !specifier.startsWith('k6/')) return nextResolve(specifier, context);
    const file = SHIMS[specifier];
    if (!file)
      throw new Error(
        `${specifier} is not provided by the local k6 runner (scripts/load): it maps only ${Object.keys(SHIMS).join(', ')}`,
      );
    return {
      url: pathToFileURL(path.join(import.meta.dirname, 'k6-shim', file)).href,
      shortCircuit: true,
    };
  },
});
