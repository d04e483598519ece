// ESLint 9 flat config (run by `npm run lint` as `eslint -c scripts/lint/eslint.config.js`).
// Its one job is security hygiene: code that turns strings into code is an error anywhere in
// the tree (eval, new Function, setTimeout/setInterval with a string). The TypeScript files
// the project's tsconfig covers are linted with type information, so
// @typescript-eslint/no-implied-eval also catches a string-typed variable (not only a literal)
// handed to setTimeout/setInterval, and calls through globalThis/window.
import path from 'node:path';
import tseslint from 'typescript-eslint';

const ROOT = path.resolve(import.meta.dirname, '../..');

const noStringCode = {
  'no-eval': 'error',
  'no-new-func': 'error',
  'no-implied-eval': 'error',
  'no-script-url': 'error',
};

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '.wrangler/**', '.data/**', 'dist/**', 'bench-results/**', 'migrations/**', 'src/worker-configuration.d.ts'],
  },
  {
    files: ['**/*.{js,mjs,cjs,ts,mts}'],
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 'latest',
      sourceType: 'module',
      // The core no-implied-eval rule only checks functions it knows as globals.
      globals: { setTimeout: 'readonly', setInterval: 'readonly', execScript: 'readonly', globalThis: 'readonly', self: 'readonly', window: 'readonly', global: 'readonly' },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: noStringCode,
  },
  {
    // Typed linting: exactly the files tsconfig.json compiles.
    files: ['src/**/*.ts', 'durable-objects/**/*.ts', 'test/**/*.ts', 'vitest.config.ts'],
    ignores: ['test/load/k6/**', 'test/load/fixtures/**'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: ROOT } },
    rules: { 'no-implied-eval': 'off', '@typescript-eslint/no-implied-eval': 'error' },
  },
  {
    // The k6 scripts: their own program (test/load/k6/tsconfig.json, @types/k6).
    files: ['test/load/k6/**/*.ts', 'test/load/fixtures/**/*.ts'],
    languageOptions: { parserOptions: { project: './test/load/k6/tsconfig.json', tsconfigRootDir: ROOT } },
    rules: { 'no-implied-eval': 'off', '@typescript-eslint/no-implied-eval': 'error' },
  },
);
