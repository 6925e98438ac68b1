import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE_NAME, databasePath, openDatabase } from '../../server/storage/database.js';
import { acknowledgeAlert, type AlertInput, clearAlert, insertAlert, listAlerts } from '../../server/storage/alerts.js';
import { StorageError } from '../../server/storage/errors.js';
import { migrate, migrations, schemaVersion, type Migration } from '../../server/storage/migrations.js';
import { openTempDatabase, tempDataDir } from './helpers.js';

function appliedMigrations(db: BetterSqlite3.Database) {
  return db.prepare('SELECT version, name, applied_at AS appliedAt FROM schema_migrations ORDER BY version').all();
}

function tableNames(db: BetterSqlite3.Database): string[] {
  return db.prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
}

describe('opening the database', () => {
  it('creates estrad.sqlite in a new data directory, in WAL mode with foreign keys on', () => {
    const dataDir = path.join(tempDataDir(), 'nested', 'data');
    const db = openTempDatabase(dataDir);
    expect(fs.existsSync(path.join(dataDir, DATABASE_FILE_NAME))).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
  });

  it('applies every migration once, and re-opening changes nothing', () => {
    const dataDir = tempDataDir();
    const first = openDatabase(dataDir);
    const applied = appliedMigrations(first);
    expect(applied).toHaveLength(migrations.length);
    expect(schemaVersion(first)).toBe(migrations.length);
    expect(tableNames(first)).toEqual(
      expect.arrayContaining([
        'events',
        'stages',
        'speakers',
        'talks',
        'talk_speakers',
        'registrations',
        'questions',
        'technicians',
        'auth_sessions',
        'speaker_invites',
        'recordings',
        'viewings',
      ]),
    );
    expect(migrate(first)).toEqual([]);
    first.close();

    const again = openTempDatabase(dataDir);
    expect(appliedMigrations(again)).toEqual(applied);
  });

  it('applies a new migration to an existing database exactly once', () => {
    const db = openTempDatabase();
    const next: Migration = { version: migrations.length + 1, name: 'add notes', sql: 'ALTER TABLE events ADD COLUMN notes TEXT' };
    expect(migrate(db, [...migrations, next])).toEqual([next.version]);
    expect(migrate(db, [...migrations, next])).toEqual([]);
    expect(schemaVersion(db)).toBe(next.version);
  });

  it('rolls a failing migration back completely', () => {
    const db = openTempDatabase();
    const broken: Migration = {
      version: migrations.length + 1,
      name: 'half done',
      sql: 'CREATE TABLE half_done (id TEXT); INSERT INTO no_such_table VALUES (1);',
    };
    expect(() => migrate(db, [...migrations, broken])).toThrow(/no such table/);
    expect(tableNames(db)).not.toContain('half_done');
    expect(schemaVersion(db)).toBe(migrations.length);
  });

  it('refuses a migration list with gaps', () => {
    const db = openTempDatabase();
    expect(() => migrate(db, [...migrations, { version: migrations.length + 2, name: 'skips one', sql: '' }])).toThrow(/without gaps/);
  });

  it('refuses, clearly, a database written by a newer Estrad', () => {
    const dataDir = tempDataDir();
    const db = openDatabase(dataDir);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(99, 'from the future', new Date().toISOString());
    db.close();

    expect(() => openDatabase(dataDir)).toThrow(StorageError);
    expect(() => openDatabase(dataDir)).toThrow(new RegExp(`schema version 99.*only knows versions up to ${migrations.length}.*newer Estrad`, 's'));
    expect(() => openDatabase(dataDir)).toThrow(/restore a backup/);
  });

  it('explains a damaged or foreign file instead of crashing obscurely', () => {
    const dataDir = tempDataDir();
    fs.writeFileSync(databasePath(dataDir), 'this is not an SQLite database, just some text '.repeat(200));
    expect(() => openDatabase(dataDir)).toThrow(StorageError);
    expect(() => openDatabase(dataDir)).toThrow(/damaged or is not an SQLite database[\s\S]*restore it from a backup/);
  });

  it('explains a data directory that cannot be created', () => {
    const parent = tempDataDir();
    const file = path.join(parent, 'a-file');
    fs.writeFileSync(file, '');
    expect(() => openDatabase(path.join(file, 'data'))).toThrow(StorageError);
    expect(() => openDatabase(path.join(file, 'data'))).toThrow(/cannot be created or written to[\s\S]*DATA_DIR/);
  });
});

describe('the schema', () => {
  const now = '2026-05-20T07:00:00.000Z';

  function insertEvent(db: BetterSqlite3.Database, fields: Record<string, string>) {
    const row = { id: 'ok', title: 'T', time_zone: 'Europe/Stockholm', language: 'sv', visibility: 'public', created_at: now, updated_at: now, ...fields };
    const names = Object.keys(row);
    db.prepare(`INSERT INTO events (${names.join(', ')}) VALUES (${names.map((name) => `@${name}`).join(', ')})`).run(row);
  }

  it('refuses ids that are not slugs, unknown enum values and times in another shape', () => {
    const db = openTempDatabase();
    expect(() => insertEvent(db, { id: 'Not A Slug' })).toThrow(/CHECK/);
    expect(() => insertEvent(db, { id: '-leading-dash' })).toThrow(/CHECK/);
    expect(() => insertEvent(db, { visibility: 'secret' })).toThrow(/CHECK/);
    expect(() => insertEvent(db, { created_at: '2026-05-20 07:00' })).toThrow(/CHECK/);
    expect(() => insertEvent(db, { created_at: '2026-05-20T09:00:00+02:00' })).toThrow(/CHECK/);
    insertEvent(db, { id: 'fine-2026' });
  });

  it('refuses a talk that ends before it starts, and cascades deletes', () => {
    const db = openTempDatabase();
    insertEvent(db, { id: 'e' });
    db.prepare("INSERT INTO stages (id, event_id, title) VALUES ('s', 'e', 'Scen')").run();
    const insertTalk = db.prepare("INSERT INTO talks (id, stage_id, title, kind, planned_start, planned_end) VALUES (?, 's', 'T', 'talk', ?, ?)");
    expect(() => insertTalk.run('t1', '2026-05-20T08:00:00.000Z', '2026-05-20T07:00:00.000Z')).toThrow(/CHECK/);
    insertTalk.run('t2', '2026-05-20T07:00:00.000Z', '2026-05-20T08:00:00.000Z');
    expect(() => db.prepare("INSERT INTO stages (id, event_id, title) VALUES ('x', 'missing', 'Scen')").run()).toThrow(/FOREIGN KEY/);
    db.prepare("DELETE FROM events WHERE id = 'e'").run();
    expect(db.prepare('SELECT count(*) FROM talks').pluck().get()).toBe(0);
  });
});

describe('migration 16: feed switch alerts', () => {
  const feedLost: AlertInput = {
    kind: 'feed_lost',
    severity: 'critical',
    stageId: 'hall',
    subject: 'feed:camera-1',
    message: 'The camera feed of stage hall went off air and nothing else gives its picture.',
    details: { producerId: 'camera-1', kind: 'video', source: 'camera', reason: 'gone' },
  };
  const feedSwitch: AlertInput = {
    kind: 'feed_switched',
    severity: 'warning',
    stageId: 'hall',
    subject: 'feed-switch:hall:2026-12-02T08:00:00.000Z:backup',
    message: 'Stage hall switched from its main feed to its backup feed: no media from the main feed for 1000 ms.',
    details: { stage: 'hall', from: 'main', to: 'backup', reason: 'main_silent' },
  };

  /** A database as Estrad left it before migration 16, with the migrations up to 15 applied. */
  function databaseBeforeFeedSwitchAlerts(): BetterSqlite3.Database {
    const db = new BetterSqlite3(path.join(tempDataDir(), DATABASE_FILE_NAME));
    migrate(
      db,
      migrations.filter((migration) => migration.version < 16),
    );
    return db;
  }

  it('keeps every alert, open, cleared and acknowledged, and then accepts feed_switched alerts', () => {
    const db = databaseBeforeFeedSwitchAlerts();
    expect(() => insertAlert(db, feedSwitch)).toThrow(/CHECK/);
    const open = insertAlert(db, feedLost, new Date('2026-12-02T07:00:00.000Z'))!;
    const acknowledged = insertAlert(db, { ...feedLost, subject: 'feed:camera-2' }, new Date('2026-12-02T07:01:00.000Z'))!;
    acknowledgeAlert(db, acknowledged.id, 'anna', new Date('2026-12-02T07:02:00.000Z'));
    clearAlert(db, 'feed_lost', open.subject, new Date('2026-12-02T07:03:00.000Z'));
    const before = listAlerts(db, { open: false, limit: 10 });
    expect(before.map((alert) => [alert.subject, alert.clearedAt, alert.acknowledgedBy])).toEqual([
      ['feed:camera-2', null, 'anna'],
      ['feed:camera-1', '2026-12-02T07:03:00.000Z', null],
    ]);

    expect(migrate(db)).toEqual(migrations.filter((migration) => migration.version >= 16).map((migration) => migration.version));
    expect(listAlerts(db, { open: false, limit: 10 })).toEqual(before);
    // The open alert still holds its subject: the same trouble is not raised twice.
    expect(insertAlert(db, feedLost)).toBeUndefined();
    expect(insertAlert(db, feedSwitch)).toMatchObject({ kind: 'feed_switched', details: feedSwitch.details, acknowledgedAt: null });
    expect(() => insertAlert(db, { ...feedSwitch, kind: 'no_such_kind' as AlertInput['kind'], subject: 'other' })).toThrow(/CHECK/);
    db.close();
  });
});
