/**
 * One code, one status, written down once: every code the source can answer is in the table
 * (src/schemas/problem-codes.ts), and the error table of docs/api.md says the same.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_ERROR_CODES } from '../../src/ledger/stream/protocol';
import { PROBLEM_STATUS } from '../../src/schemas/problem-codes';

const ROOT = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return file.endsWith('.ts') && !file.endsWith('.d.ts') ? [file] : [];
  });
}

/** Codes written as literals where problems and refusals are made. */
function codesInSource(): Set<string> {
  const found = new Set<string>();
  const patterns = [
    /code: '([a-z_]+)'/g, // AppError / problem init
    /refuse\('(?:invalid|not_found|conflict)', '([a-z_]+)'/g, // domain refusals
    /refuseField\('([a-z_]+)'/g,
    /\b(?:c|this)\.add\([^,()]+, '([a-z_]+)'/g, // Checker problems
    /invalid\('([a-z_]+)'/g,
    /override readonly code = '([a-z_]+)'/g, // query errors
  ];
  for (const file of [
    ...sources(path.join(ROOT, 'src')),
    ...sources(path.join(ROOT, 'durable-objects')),
  ]) {
    const text = readFileSync(file, 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) if (m[1]) found.add(m[1]);
  }
  // Built from a template: `${kind}_not_found` and `${kind}_already_inactive`.
  for (const kind of ['account', 'journal', 'invoice', 'payment', 'customer', 'vendor', 'settings'])
    found.add(`${kind}_not_found`);
  for (const kind of ['customer', 'vendor']) found.add(`${kind}_already_inactive`);
  found.delete('custom'); // zod's issue code, not a problem code
  // The stream's error frames carry codes of their own (docs/stream.md), never an HTTP status.
  for (const code of CLIENT_ERROR_CODES) found.delete(code);
  return found;
}

describe('problem codes', () => {
  it('every code the source answers has its one status in the table', () => {
    const missing = [...codesInSource()].filter((code) => PROBLEM_STATUS[code] === undefined);
    expect(missing).toEqual([]);
    expect(codesInSource().size).toBeGreaterThan(50);
  });

  it('the error table of docs/api.md matches the table, code for code', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Error codes'));
    const documented: Record<string, number> = {};
    for (const row of section.matchAll(/^\| (\d{3}) \| [^|]+ \| (.+) \|$/gm)) {
      for (const code of (row[2] ?? '').matchAll(/`([a-z_]+)`/g))
        documented[code[1] ?? ''] = Number(row[1]);
    }
    expect(documented).toEqual({ ...PROBLEM_STATUS });
  });
});
