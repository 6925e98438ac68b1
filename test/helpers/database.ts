import Database from 'better-sqlite3';
import { databasePath } from '../../server/storage/database.js';

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
