/**
 * The one SQLite file that holds everything Estrad knows: `estrad.sqlite` in the data directory.
 * Open it once at start-up with openDatabase() and pass the handle to the repositories in this
 * folder; no SQL lives outside server/storage/.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { StorageError, sqliteErrorCode } from './errors.js';
import { migrate } from './migrations.js';

export type { Database };

export const DATABASE_FILE_NAME = 'estrad.sqlite';
/**
 * Written beside the database once it exists: a data directory with this file but an empty or
 * missing database has lost its data, which start-up must not mistake for a first run.
 */
const MARKER_FILE_NAME = 'estrad.sqlite.created';
/** How long a write waits for another connection's write (e.g. a backup tool) before failing. */
const BUSY_TIMEOUT_MS = 5_000;

export function databasePath(dataDir: string): string {
  return path.join(path.resolve(dataDir), DATABASE_FILE_NAME);
}

/** SQLite's write-ahead log: it must stay beside the database, in the same directory. */
export function walPath(databaseFile: string): string {
  return `${databaseFile}-wal`;
}

/**
 * Opens (creating if needed) the database in `dataDir` and migrates it to the current schema.
 * Throws a StorageError saying what to do when the directory is unwritable, the file is damaged or
 * not a database, or it was written by a newer Estrad.
 */
export function openDatabase(dataDir: string): Database {
  const file = databasePath(dataDir);
  const marker = path.join(path.dirname(file), MARKER_FILE_NAME);
  createDataDir(path.dirname(file));
  if (!fs.existsSync(file)) refuseIfItHadData(file, marker);
  let db: Database | undefined;
  try {
    // `timeout` is SQLite's busy_timeout, in force from the first statement on.
    db = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS });
    configure(db);
    if (isEmpty(db)) refuseIfItHadData(file, marker);
    migrate(db);
    if (!fs.existsSync(marker)) fs.writeFileSync(marker, `${JSON.stringify({ database: DATABASE_FILE_NAME, createdAt: new Date().toISOString() })}\n`);
    return db;
  } catch (error) {
    db?.close();
    throw explainOpenFailure(error, file);
  }
}

function isEmpty(db: Database): boolean {
  return db.prepare('SELECT count(*) AS tables FROM sqlite_master').pluck().get() === 0;
}

function refuseIfItHadData(file: string, marker: string): void {
  if (!fs.existsSync(marker)) return;
  const since = fs.statSync(marker).mtime.toISOString();
  throw new StorageError(
    `The database ${file} is missing or empty, but this data directory has had one since ${since} (${marker}): its data is lost, e.g. the file or its -wal file was deleted.`,
    `Stop Estrad and restore ${file} from a backup (npm run backup makes them; see README, Backups). Only to start afresh on purpose, with no events, registrations or recordings, delete ${marker}.`,
  );
}

function createDataDir(dir: string): void {
  try {
    // Only Estrad's user may touch the database and its -wal and -shm files.
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.W_OK);
  } catch (error) {
    throw new StorageError(
      `The data directory ${dir} cannot be created or written to (${(error as Error).message}).`,
      'Set DATA_DIR to a directory the user running Estrad can write to, or fix its owner and permissions.',
      { cause: error },
    );
  }
}

function configure(db: Database): void {
  // WAL lets readers go on while a write commits; it also needs the -wal and -shm files beside
  // the database, which is why the directory (not just the file) must be writable.
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new Error(`SQLite could not switch to WAL mode (got "${String(mode)}")`);
  // SQLite's default, stated: a commit that grows the log past 1000 pages copies it back.
  db.pragma('wal_autocheckpoint = 1000');
  db.pragma('foreign_keys = ON');
}

const DAMAGED_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);
const UNWRITABLE_CODES = ['SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PERM', 'SQLITE_IOERR', 'SQLITE_FULL'];

function explainOpenFailure(error: unknown, file: string): unknown {
  if (error instanceof StorageError) return error;
  const code = sqliteErrorCode(error) ?? '';
  const reason = error instanceof Error ? error.message : String(error);
  if (DAMAGED_CODES.has(code) || code.startsWith('SQLITE_CORRUPT')) {
    return new StorageError(
      `The database ${file} is damaged or is not an SQLite database (${reason}).`,
      'Stop Estrad, move the file (and any -wal/-shm files beside it) away, then restore it from a backup or start Estrad again to begin with an empty database.',
      { cause: error },
    );
  }
  if (UNWRITABLE_CODES.some((prefix) => code.startsWith(prefix))) {
    return new StorageError(
      `The database ${file} cannot be opened for writing (${reason}).`,
      'Check that the file and its directory (DATA_DIR) are writable by the user running Estrad and that the disk is not full.',
      { cause: error },
    );
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY')) {
    return new StorageError(
      `The database ${file} stayed locked by another process for ${BUSY_TIMEOUT_MS / 1000} s.`,
      'Make sure no other Estrad (or tool) is writing to the same DATA_DIR, then start again.',
      { cause: error },
    );
  }
  return error;
}
