/**
 * Online backups with SQLite's backup API (better-sqlite3's db.backup()): a consistent copy of
 * the database, committed writes in the -wal file included, taken while the server runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { databasePath } from './database.js';
import { StorageError } from './errors.js';

/** Where a backup goes when no file is named: DATA_DIR/backups/estrad-<UTC time>.sqlite. */
export function defaultBackupPath(dataDir: string, now = new Date()): string {
  return path.join(path.resolve(dataDir), 'backups', `estrad-${now.toISOString().replaceAll(':', '-')}.sqlite`);
}

export async function backupDatabase(dataDir: string, target: string): Promise<{ file: string; bytes: number }> {
  const source = databasePath(dataDir);
  if (!fs.existsSync(source)) {
    throw new StorageError(`There is no database ${source} to back up.`, 'Set DATA_DIR to the directory the server uses.');
  }
  if (fs.existsSync(target)) throw new StorageError(`${target} already exists.`, 'Name a new file; a backup never overwrites one.');
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const db = new BetterSqlite3(source, { fileMustExist: true, timeout: 5_000 });
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
  return { file: path.resolve(target), bytes: fs.statSync(target).size };
}
