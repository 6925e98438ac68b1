/**
 * Helpers the repositories share. Statements are prepared once per database handle (preparing
 * parses SQL, which is the expensive part) and kept for as long as the handle lives.
 */
import type { Database } from 'better-sqlite3';

export function preparedOnce<T>(prepare: (db: Database) => T): (db: Database) => T {
  const byDatabase = new WeakMap<Database, T>();
  return (db) => {
    let statements = byDatabase.get(db);
    if (statements === undefined) {
      statements = prepare(db);
      byDatabase.set(db, statements);
    }
    return statements;
  };
}

/** `changes` without its undefined fields, so spreading it over a record leaves those fields alone. */
export function definedFields<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}
