// ESLint 9 flat config (run by `npm run lint` as `eslint -c scripts/lint/eslint.config.js`).
// Three jobs:
// - Security hygiene: code that turns strings into code is an error anywhere in the tree
//   (eval, new Function, setTimeout/setInterval with a string). The TypeScript files the
//   project's tsconfig covers (and the k6 scripts, through theirs) are linted with type
//   information, so
//   @typescript-eslint/no-implied-eval also catches a string-typed variable (not only a
//   literal) handed to setTimeout/setInterval, and calls through globalThis/window.
// - Boundaries: src/domain imports only src/domain (no platform, framework or I/O code), and
//   no import cycles anywhere in the Worker (src, durable-objects).
// - Four cheap correctness rules: promises are awaited or handled, never passed where a
//   void callback is expected; no `any`; a switch over a union handles every member.
import path from 'node:path';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const ROOT = path.resolve(import.meta.dirname, '../..');

const noStringCode = {
  'no-eval': 'error',
  'no-new-func': 'error',
  'no-implied-eval': 'error',
  'no-script-url': 'error',
};

/** The rules that need type information: every TypeScript program of the tree. */
const typedRules = {
  'no-implied-eval': 'off',
  '@typescript-eslint/no-implied-eval': 'error',
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': 'error',
  '@typescript-eslint/no-explicit-any': 'error',
  '@typescript-eslint/switch-exhaustiveness-check': [
    'error',
    { considerDefaultExhaustiveForUnions: true },
  ],
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.wrangler/**',
      '.data/**',
      'dist/**',
      'bench-results/**',
      'migrations/**',
      'src/worker-configuration.d.ts',
    ],
  },
  {
    files: ['**/*.{js,mjs,cjs,ts,mts}'],
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 'latest',
      sourceType: 'module',
      // The core no-implied-eval rule only checks functions it knows as globals.
      globals: {
        setTimeout: 'readonly',
        setInterval: 'readonly',
        execScript: 'readonly',
        globalThis: 'readonly',
        self: 'readonly',
        window: 'readonly',
        global: 'readonly',
      },
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
    rules: typedRules,
  },
  {
    // The Worker's module graph: no cycles, and a pure domain.
    files: ['src/**/*.ts', 'durable-objects/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.mjs', '.js'],
      'import-x/resolver-next': [
        importX.createNodeResolver({ extensions: ['.ts', '.mjs', '.js'] }),
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/domain',
              from: './',
              except: ['./src/domain'],
              message: 'src/domain imports only src/domain.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\.)',
              message: 'src/domain is pure TypeScript: no packages, platform or framework imports.',
            },
          ],
        },
      ],
    },
  },
  {
    // The k6 scripts: their own program (test/load/k6/tsconfig.json, @types/k6).
    files: ['test/load/k6/**/*.ts', 'test/load/fixtures/**/*.ts'],
    languageOptions: {
      parserOptions: { project: './test/load/k6/tsconfig.json', tsconfigRootDir: ROOT },
    },
    rules: typedRules,
  },
);
