/** What technicians did through the API, newest first: the control room shows it. */
import type { Database } from 'better-sqlite3';
import type { AuditEntry } from '../../shared/protocol.js';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';

export type AuditInput = Omit<AuditEntry, 'id' | 'createdAt'>;

interface AuditRow extends Omit<AuditEntry, 'subject'> {
  subject: string;
}

const statements = preparedOnce((db) => ({
  insert: db.prepare<[string | null, string, string, string, number, string]>(
    'INSERT INTO audit_log (technician_id, username, action, subject, status, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  ),
  latest: db.prepare<[number], AuditRow>(
    `SELECT id, technician_id AS technicianId, username, action, subject, status, created_at AS createdAt
       FROM audit_log ORDER BY id DESC LIMIT ?`,
  ),
}));

export function recordAudit(db: Database, entry: AuditInput, now = new Date()): void {
  statements(db).insert.run(entry.technicianId, entry.username, entry.action, JSON.stringify(entry.subject), entry.status, toIsoTime(now));
}

export function listAudit(db: Database, limit: number): AuditEntry[] {
  return statements(db)
    .latest.all(limit)
    .map((row) => ({ ...row, subject: JSON.parse(row.subject) as Record<string, string> }));
}
