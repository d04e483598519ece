/**
 * scripts/lib/pglite-image.mjs: the first in-memory PGlite of a run saves a blank cluster, the
 * ones after it load that image; each is a cluster of its own, and none carries what another
 * did after the image was taken (a stack's migrations and rows stay its own).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryPGlite } from '../../scripts/lib/pglite-image.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'pglite-image-'));
const open: PGlite[] = [];
afterAll(async () => {
  await Promise.all(open.map((db) => db.close()));
  rmSync(dir, { recursive: true, force: true });
});

const tables = async (db: PGlite) =>
  (
    await db.query<{ name: string }>(
      `select table_schema || '.' || table_name as name from information_schema.tables
       where table_schema not in ('pg_catalog', 'information_schema') order by 1`,
    )
  ).rows.map((r) => r.name);

const systemId = async (db: PGlite) =>
  (await db.query<{ id: string }>('select system_identifier::text as id from pg_control_system()'))
    .rows[0]?.id;

describe('createMemoryPGlite', () => {
  // Under `npm test` the run's own image (made by the first stack of the run); run alone, an
  // image of this test's own, made by the first call here.
  const image = process.env.FINANCE_EDGE_PGLITE_IMAGE || path.join(dir, 'blank.tar');

  it('saves a blank cluster once; every cluster loaded from it is blank and its own', async () => {
    const first = await createMemoryPGlite(PGlite, image);
    open.push(first);
    expect(existsSync(image)).toBe(true);
    expect(await tables(first)).toEqual([]);
    await first.exec(
      'create table made_after_the_image (id int); insert into made_after_the_image values (1)',
    );

    const second = await createMemoryPGlite(PGlite, image);
    open.push(second);
    // One image, not an initdb each: initdb gives every cluster a system identifier of its own.
    expect(await systemId(second)).toBe(await systemId(first));
    expect(await tables(second)).toEqual([]);
    await second.exec('create table only_in_second (id int)');
    expect(await tables(first)).toEqual(['public.made_after_the_image']);
    expect(await tables(second)).toEqual(['public.only_in_second']);
  });
});
