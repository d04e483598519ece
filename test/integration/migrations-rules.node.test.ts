/**
 * Expand/contract (docs/deploy.md §7): while a rollout is split, the old Worker version reads
 * the same schema, so a migration that removes or tightens something must say, in a
 * `-- contract:` comment, which release stopped reading the old shape.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = path.resolve(import.meta.dirname, '../../migrations');
/** Statements that break a reader of the previous shape. */
export const CONTRACTING =
  /\b(drop\s+(column|table)|rename\s+(column|to)|alter\s+column\s+\S+\s+(set\s+data\s+)?type|set\s+not\s+null)\b/i;

describe('read-model migrations follow expand/contract', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();

  it("are numbered forward-only and listed in drizzle's journal in order", () => {
    const journal = JSON.parse(readFileSync(path.join(DIR, 'meta', '_journal.json'), 'utf8')) as {
      entries: { idx: number; tag: string }[];
    };
    expect(journal.entries.map((e) => `${e.tag}.sql`)).toEqual(files);
    expect(journal.entries.map((e) => e.idx)).toEqual(files.map((_, i) => i));
  });

  it.each(files)('%s contracts only with a -- contract: note', (file) => {
    const sql = readFileSync(path.join(DIR, file), 'utf8');
    const code = sql.replaceAll(/--[^\n]*/g, '');
    if (CONTRACTING.test(code))
      expect(
        sql,
        `${file} drops, renames or tightens: add "-- contract: <release that stopped reading it>"`,
      ).toMatch(/--\s*contract:\s*\S/);
  });

  it('the rule recognises what breaks an older reader', () => {
    for (const s of [
      'ALTER TABLE invoices DROP COLUMN memo',
      'DROP TABLE x',
      'ALTER TABLE a RENAME COLUMN b TO c',
      'ALTER TABLE a ALTER COLUMN b TYPE bigint',
      'ALTER TABLE a ALTER COLUMN b SET NOT NULL',
    ])
      expect(s).toMatch(CONTRACTING);
    for (const s of [
      'ALTER TABLE a ADD COLUMN b text',
      'CREATE INDEX i ON a (b)',
      'DROP INDEX IF EXISTS customers_tenant_name_idx',
    ])
      expect(s).not.toMatch(CONTRACTING);
  });
});
