// Import first in any process that runs ESLint: makes `typescript` resolve to the
// TypeScript 6 nested in this workspace, for every importer. The project compiles with
// typescript 7 (native), which has no compiler API, and npm hoists typescript-eslint's
// helpers (ts-api-utils) next to it, where they would load typescript 7 and fail.
import * as nodeModule from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

if (typeof nodeModule.registerHooks !== 'function') {
  throw new Error(
    'lint needs Node >= 22.15 (module.registerHooks): run it through npm (npm run lint / npm test)',
  );
}
const fromHere = nodeModule.createRequire(path.join(import.meta.dirname, 'package.json'));

nodeModule.registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier !== 'typescript' && !specifier.startsWith('typescript/'))
      return nextResolve(specifier, context);
    return { url: pathToFileURL(fromHere.resolve(specifier)).href, shortCircuit: true };
  },
});
