/**
 * A storage problem an operator must fix (a damaged file, an unwritable directory, a database from
 * a newer version): the message says what is wrong and `remedy` what to do about it.
 */
export class StorageError extends Error {
  constructor(
    readonly problem: string,
    readonly remedy: string,
    options?: { cause?: unknown },
  ) {
    super(`${problem}\n  ${remedy}`, options);
    this.name = 'StorageError';
  }
}

/** SQLite's extended result code of an error thrown by better-sqlite3, e.g. SQLITE_CONSTRAINT_UNIQUE. */
export function sqliteErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== 'SqliteError') return undefined;
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `error` is a UNIQUE or PRIMARY KEY violation: the thing being created already exists. */
export function isAlreadyExistsError(error: unknown): boolean {
  const code = sqliteErrorCode(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
