/**
 * The hygiene gates of `npm test` (scripts/lint/run.mjs) really fire: ESLint refuses code
 * that evaluates strings, and secretlint finds a private key. Run in Node (tooling project).
 */
import '../../scripts/lint/typescript-6.mjs';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
// lintText() hands ESLint code that is not on disk, under the name of a real file (typed
// linting only covers files tsconfig.json includes). With CI=true (set by most CI runners)
// typescript-eslint infers a single CLI run and builds the `project` Program ahead of time
// from the files on disk, so the typed rules would see src/timeout.ts as committed, not this
// code (and find nothing). Opt out of that inference here: the watch-program host that
// typescript-eslint then uses reads the linted file from the text given to lintText().
// npm run lint (scripts/lint/run.mjs) lints files on disk and keeps the faster single run.
// The typed rules get a program of the project's compiler options over just the files linted
// here (a tsconfig extending tsconfig.json, under node_modules/.cache so that its `types`
// resolve as the project's do): the whole project's program took ~5 s of CPU to build.
const LINTED_HERE = ['src/timeout.ts', 'src/domain/money.ts'];
mkdirSync(path.join(ROOT, 'node_modules', '.cache'), { recursive: true });
const programDir = mkdtempSync(path.join(ROOT, 'node_modules', '.cache', 'lint-program-'));
afterAll(() => rmSync(programDir, { recursive: true, force: true }));
const tsconfig = path.join(programDir, 'tsconfig.json');
writeFileSync(
  tsconfig,
  JSON.stringify({
    extends: path.join(ROOT, 'tsconfig.json'),
    files: LINTED_HERE.map((f) => path.join(ROOT, f)),
    include: [],
  }),
);
const linter = new ESLint({
  cwd: ROOT,
  overrideConfigFile: path.join(ROOT, 'scripts/lint/eslint.config.js'),
  overrideConfig: [
    { languageOptions: { parserOptions: { disallowAutomaticSingleRunInference: true } } },
    { files: LINTED_HERE, languageOptions: { parserOptions: { project: tsconfig } } },
  ],
});

async function errorsOf(code: string, file: string): Promise<string[]> {
  const [result] = await linter.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.ruleId ?? m.message);
}

describe('ESLint: no code from strings', () => {
  it.each([
    ['eval', 'export const run = (s: string): unknown => eval(s);\n', 'no-eval'],
    ['new Function', "export const f = new Function('a', 'return a');\n", 'no-new-func'],
    ['Function()', "export const f = Function('return 1');\n", 'no-new-func'],
    ['setTimeout with a string', "setTimeout('doIt()', 10);\n", 'no-implied-eval'],
  ])('%s in a script is an error', async (_name, code, rule) => {
    expect(await errorsOf(code, 'scripts/example.mjs')).toContain(rule);
  });

  it('the typed rule sees a string-typed variable handed to setTimeout in src/', async () => {
    const code =
      'export function schedule(source: string): void {\n  globalThis.setTimeout(source, 10);\n}\n';
    expect(await errorsOf(code, 'src/timeout.ts')).toContain('@typescript-eslint/no-implied-eval');
  });

  it('plain code passes', async () => {
    expect(
      await errorsOf(
        'export const add = (a: number, b: number): number => a + b;\n',
        'src/timeout.ts',
      ),
    ).toEqual([]);
  });
});

describe('ESLint: boundaries and promise hygiene', () => {
  it('a platform or framework import in src/domain is an error', async () => {
    const code =
      "import { DurableObject } from 'cloudflare:workers';\nexport const base = DurableObject;\n";
    expect(await errorsOf(code, 'src/domain/money.ts')).toContain('no-restricted-imports');
  });

  it('src/domain importing code outside src/domain is an error', async () => {
    const code = "import { log } from '../log';\nexport const logger = log;\n";
    expect(await errorsOf(code, 'src/domain/money.ts')).toContain('import-x/no-restricted-paths');
  });

  it('an import cycle is an error', async () => {
    // checker.ts imports money.ts: money → checker closes a circle.
    const code = "import { Checker } from './checker';\nexport const check = Checker;\n";
    expect(await errorsOf(code, 'src/domain/money.ts')).toContain('import-x/no-cycle');
  });

  it('a floating promise is an error', async () => {
    const code =
      'async function work(): Promise<void> {}\nexport function start(): void {\n  work();\n}\n';
    expect(await errorsOf(code, 'src/timeout.ts')).toContain(
      '@typescript-eslint/no-floating-promises',
    );
  });
});

describe('secretlint', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'secretlint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a private key committed by mistake and passes clean files', () => {
    // Made at run time, so this file holds no secret for the scanner to find.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const leaked = path.join(dir, 'leaked.ts');
    writeFileSync(
      leaked,
      `export const key = \`${privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()}\`;\n`,
    );
    const clean = path.join(dir, 'clean.ts');
    writeFileSync(clean, 'export const greeting = "hello";\n');
    const scan = (file: string) =>
      spawnSync(
        path.join(ROOT, 'node_modules/.bin/secretlint'),
        [
          '--secretlintrc',
          path.join(ROOT, 'scripts/lint/secretlintrc.json'),
          '--maskSecrets',
          file,
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
    const found = scan(leaked);
    expect(found.status).not.toBe(0);
    expect(found.stdout + found.stderr).toMatch(/private ?key/i);
    expect(scan(clean).status).toBe(0);
  });
});
