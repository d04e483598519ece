// A blank PGlite cluster made once per `npm test` run and loaded by every in-memory stack
// after it. `PGlite.create('memory://')` runs initdb inside WebAssembly each time (~3.5 s of
// CPU on a 2-core machine of this kind), and a run starts about ten stacks (the PGlite lane's
// globalSetup, the suites that serve the Worker as built or under `wrangler dev`, the load
// runs); loading the image of a fresh cluster takes ~0.9 s. This is PGlite's own `clone()`
// (dumpDataDir('none') into `loadDataDir`), across processes. scripts/test.mjs points
// FINANCE_EDGE_PGLITE_IMAGE at a file in its run directory (removed when the run ends); unset
// (the bench, `npm run load`), every in-memory stack runs initdb; a stack with a data
// directory (`npm start`) never uses it. The image is taken before any migration: each stack
// still applies migrations/ itself.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { lockOrReady } from './run-lock.mjs';

/**
 * A new in-memory PGlite: from the run's image when there is one; otherwise made afresh (and,
 * with an image path, saved there for the stacks after it).
 * @param {typeof import('@electric-sql/pglite').PGlite} PGlite
 * @param {string | undefined} [image] the image file (default FINANCE_EDGE_PGLITE_IMAGE)
 */
export async function createMemoryPGlite(PGlite, image = process.env.FINANCE_EDGE_PGLITE_IMAGE) {
  if (!image) return PGlite.create('memory://');
  // The stacks that start together wait for one maker (scripts/lib/run-lock.mjs).
  const release = await lockOrReady(`${image}.lock`, () => existsSync(image));
  if (!release) return PGlite.create('memory://', { loadDataDir: new Blob([readFileSync(image)]) });
  try {
    const db = await PGlite.create('memory://');
    const tar = await db.dumpDataDir('none');
    // Written aside and renamed: no reader ever sees half a file.
    const partial = `${image}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await tar.arrayBuffer()));
    renameSync(partial, image);
    return db;
  } finally {
    release();
  }
}
