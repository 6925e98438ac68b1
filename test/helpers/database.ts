import Database from 'better-sqlite3';
import { speakUrl } from '../../server/http/routes/invites.js';
import { databasePath } from '../../server/storage/database.js';
import { createSpeakerInvite } from '../../server/storage/invites.js';

/**
 * Every row of every table of a server's database, read beside the running server (WAL allows a
 * second reader), so a test can show that refused requests changed nothing.
 */
export function snapshotDatabase(dataDir: string): Record<string, string[]> {
  const db = new Database(databasePath(dataDir), { readonly: true });
  try {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    // Rows as sorted JSON: some tables are WITHOUT ROWID, so there is no one column to order by.
    const rowsOf = (table: string) =>
      db
        .prepare(`SELECT * FROM "${table}"`)
        .all()
        .map((row) => JSON.stringify(row))
        .sort();
    return Object.fromEntries(tables.map(({ name }) => [name, rowsOf(name)]));
  } finally {
    db.close();
  }
}

/**
 * A speaker invite for `stageId` that expired a minute ago, written beside the running server
 * (the API cannot make one: invites last at least an hour). Answers the speaker's link.
 */
export function insertExpiredInvite(dataDir: string, stageId: string): string {
  const db = new Database(databasePath(dataDir));
  try {
    const { token } = createSpeakerInvite(db, { stageId, label: 'expired', expiresAt: new Date(Date.now() - 60_000) });
    return speakUrl(stageId, token);
  } finally {
    db.close();
  }
}
