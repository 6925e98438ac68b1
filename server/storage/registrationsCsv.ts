/** The registration list as CSV, for organisers to open in a spreadsheet. */
import type { Database } from 'better-sqlite3';
import { stringify } from 'csv-stringify/sync';
import { listRegistrations } from './registrations.js';

/**
 * Spreadsheets run a cell starting with one of these as a formula, so a registrant named
 * `=HYPERLINK(...)` could act on the organiser's machine. OWASP's remedy: a leading apostrophe,
 * which spreadsheets show as text and do not display.
 */
const FORMULA_TRIGGERS = ['=', '+', '-', '@', '\t', '\r'];

export function neutralizeFormula(value: string): string {
  return FORMULA_TRIGGERS.some((trigger) => value.startsWith(trigger)) ? `'${value}` : value;
}

/**
 * Columns name, email, registered_at (ISO-8601 UTC), oldest registration first. Starts with a
 * UTF-8 byte order mark, without which Excel shows å, ä and ö garbled; lines end in CRLF (RFC 4180).
 */
export function exportRegistrationsCsv(db: Database, eventId: string): string {
  const rows = listRegistrations(db, eventId).map((registration) => [
    neutralizeFormula(registration.name),
    neutralizeFormula(registration.email),
    registration.createdAt,
  ]);
  return stringify(rows, {
    bom: true,
    header: true,
    columns: ['name', 'email', 'registered_at'],
    record_delimiter: 'windows',
    // With CRLF as the record delimiter, csv-stringify would leave a lone \n (or \r) in a value
    // unquoted, and readers would split the record there.
    quoted_match: /[\r\n]/,
  });
}
