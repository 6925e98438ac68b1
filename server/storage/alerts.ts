/** The control room's alerts: raised once per trouble, kept until a technician acknowledges them. */
import type { Database } from 'better-sqlite3';
import type { Alert, AlertKind, AlertSeverity } from '../../shared/health.js';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';
import { newId } from './tokens.js';

export interface AlertInput {
  kind: AlertKind;
  severity: AlertSeverity;
  stageId: string | null;
  subject: string;
  message: string;
  details: Alert['details'];
}

interface AlertRow extends Omit<Alert, 'details'> {
  details: string;
}

const columns = `id, kind, severity, stage_id AS stageId, subject, message, details, raised_at AS raisedAt,
  cleared_at AS clearedAt, acknowledged_at AS acknowledgedAt, acknowledged_by AS acknowledgedBy`;

const statements = preparedOnce((db) => ({
  insert: db.prepare<{
    id: string;
    kind: string;
    severity: string;
    stageId: string | null;
    subject: string;
    message: string;
    details: string;
    raisedAt: string;
  }>(
    `INSERT INTO alerts (id, kind, severity, stage_id, subject, message, details, raised_at)
     VALUES (@id, @kind, @severity, @stageId, @subject, @message, @details, @raisedAt)
     ON CONFLICT (kind, subject) WHERE acknowledged_at IS NULL DO NOTHING`,
  ),
  get: db.prepare<[string], AlertRow>(`SELECT ${columns} FROM alerts WHERE id = ?`),
  open: db.prepare<[number], AlertRow>(`SELECT ${columns} FROM alerts WHERE acknowledged_at IS NULL ORDER BY raised_at DESC, id LIMIT ?`),
  all: db.prepare<[number], AlertRow>(`SELECT ${columns} FROM alerts ORDER BY raised_at DESC, id LIMIT ?`),
  openAbout: db.prepare<[string, string], AlertRow>(`SELECT ${columns} FROM alerts WHERE kind = ? AND subject = ? AND acknowledged_at IS NULL`),
  clear: db.prepare<[string, string, string]>(
    'UPDATE alerts SET cleared_at = ? WHERE kind = ? AND subject = ? AND acknowledged_at IS NULL AND cleared_at IS NULL',
  ),
  acknowledge: db.prepare<[string, string, string]>('UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_at IS NULL'),
}));

function toAlert(row: AlertRow): Alert {
  return { ...row, details: JSON.parse(row.details) as Alert['details'] };
}

/** Stores a new alert; undefined when one of that kind about that subject is still open (not acknowledged). */
export function insertAlert(db: Database, input: AlertInput, now = new Date()): Alert | undefined {
  const id = newId();
  const inserted = statements(db).insert.run({ ...input, id, details: JSON.stringify(input.details), raisedAt: toIsoTime(now) }).changes > 0;
  return inserted ? getAlert(db, id) : undefined;
}

export function getAlert(db: Database, id: string): Alert | undefined {
  const row = statements(db).get.get(id);
  return row && toAlert(row);
}

/** Open (unacknowledged) alerts, or all of them, newest first. */
export function listAlerts(db: Database, options: { open: boolean; limit: number }): Alert[] {
  const query = options.open ? statements(db).open : statements(db).all;
  return query.all(options.limit).map(toAlert);
}

/** The trouble ended by itself: the open alert says since when (it stays until acknowledged). Returns it when it changed. */
export function clearAlert(db: Database, kind: AlertKind, subject: string, now = new Date()): Alert | undefined {
  if (statements(db).clear.run(toIsoTime(now), kind, subject).changes === 0) return undefined;
  const row = statements(db).openAbout.get(kind, subject);
  return row && toAlert(row);
}

/** Undefined when there is no such alert; an alert acknowledged before keeps who did it first. */
export function acknowledgeAlert(db: Database, id: string, by: string, now = new Date()): Alert | undefined {
  statements(db).acknowledge.run(toIsoTime(now), by, id);
  return getAlert(db, id);
}
