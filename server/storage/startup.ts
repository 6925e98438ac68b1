/**
 * What the database needs when Estrad starts, after openDatabase(): state that only a running
 * process keeps true (open viewer connections, recordings in progress) is closed off, since the
 * previous process took it with it.
 */
import type { Database } from 'better-sqlite3';
import { interruptUnfinishedRecordings } from './recordings.js';
import { purgeExpiredAuthSessions } from './technicians.js';
import { closeOpenViewings } from './viewings.js';

export interface StartupCleanup {
  viewingsClosed: number;
  recordingsInterrupted: number;
  expiredSessionsPurged: number;
}

export function cleanUpAfterRestart(db: Database, now = new Date()): StartupCleanup {
  return db.transaction(() => ({
    viewingsClosed: closeOpenViewings(db, now),
    recordingsInterrupted: interruptUnfinishedRecordings(db, now),
    expiredSessionsPurged: purgeExpiredAuthSessions(db, now),
  }))();
}
