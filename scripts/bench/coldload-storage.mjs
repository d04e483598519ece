// The `coldload` section's edits of workerd's persisted Durable Object storage
// (coldload.mjs), made while no workerd runs: the ledgers' `snapshots` rows (the cold read
// without snapshots) and their pending alarms. Through Node's built-in SQLite.
import { readdirSync } from 'node:fs';
import path from 'node:path';

/** The SQLite files of the persisted Durable Objects: `<id>.sqlite` → path. */
function objectFiles(persistDir) {
  const doDir = path.join(persistDir, 'do');
  const files = new Map();
  for (const sub of readdirSync(doDir))
    for (const f of readdirSync(path.join(doDir, sub))) files.set(f, path.join(doDir, sub, f));
  return files;
}

function fileOf(files, l) {
  const file = files.get(`${l.objectId}.sqlite`);
  if (!file)
    throw new Error(
      `no SQLite file for the ledger of ${l.tenant} (${l.objectId}) in the bench storage`,
    );
  return file;
}

/** Deletes the `snapshots` rows from each ledger's SQLite file (no workerd may be running). */
export function deleteSnapshots(persistDir, ledgers) {
  const { DatabaseSync } = loadSqlite();
  const files = objectFiles(persistDir);
  let removed = 0;
  for (const l of ledgers) {
    const db = new DatabaseSync(fileOf(files, l));
    try {
      removed += Number(db.prepare('DELETE FROM snapshots').run().changes);
    } finally {
      db.close();
    }
  }
  return removed;
}

/**
 * Removes pending alarms of the given objects from workerd's local storage (no workerd may be
 * running): the object's own `_cf_METADATA` row (key 1 = alarm time) and the namespace's
 * alarm index (`metadata.sqlite`, table `_cf_ALARM`). workerd internals of this version
 * (miniflare 5 / workerd 2026-11): if the layout differs, nothing is removed and we say so.
 */
export function clearAlarms(persistDir, ledgers) {
  const { DatabaseSync } = loadSqlite();
  const files = objectFiles(persistDir);
  const hasTable = (db, name) =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !==
    undefined;
  let removed = 0;
  const notes = new Set();
  for (const l of ledgers) {
    const db = new DatabaseSync(fileOf(files, l));
    try {
      if (hasTable(db, '_cf_METADATA'))
        removed += Number(db.prepare('DELETE FROM _cf_METADATA WHERE key = 1').run().changes);
      else notes.add('no _cf_METADATA table');
    } finally {
      db.close();
    }
    const index = files.get('metadata.sqlite');
    if (!index) {
      notes.add('no metadata.sqlite');
      continue;
    }
    const meta = new DatabaseSync(index);
    try {
      if (hasTable(meta, '_cf_ALARM'))
        meta.prepare('DELETE FROM _cf_ALARM WHERE actor_id = ?').run(l.objectId);
      else notes.add('no _cf_ALARM table');
    } finally {
      meta.close();
    }
  }
  return { removed, note: [...notes].join(', ') };
}

function loadSqlite() {
  // node:sqlite is stable enough for this and needs no package; silence its one-time warning.
  const emit = process.emitWarning;
  process.emitWarning = (w, ...rest) =>
    String(w).includes('SQLite') ? undefined : emit.call(process, w, ...rest);
  try {
    return process.getBuiltinModule('node:sqlite');
  } finally {
    process.emitWarning = emit;
  }
}
