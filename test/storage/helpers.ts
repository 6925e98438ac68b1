import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openDatabase, type Database } from '../../server/storage/database.js';
import { createEvent, type EventInput } from '../../server/storage/events.js';
import { createStage } from '../../server/storage/stages.js';
import { createTalk, type Talk } from '../../server/storage/talks.js';

const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A fresh directory under the system temp dir, removed after the test. */
export function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estrad-storage-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A real database file in a temp dir, closed after the test. */
export function openTempDatabase(dataDir = tempDataDir()): Database {
  const db = openDatabase(dataDir);
  cleanups.push(() => {
    if (db.open) db.close();
  });
  return db;
}

export const sampleEvent: EventInput = {
  id: 'testdagen',
  title: 'Testdagen',
  description: 'En dag för tester',
  timeZone: 'Europe/Stockholm',
  language: 'sv',
  visibility: 'public',
};

/** An event with one stage, `main`. */
export function createEventWithStage(db: Database, eventId = sampleEvent.id, stageId = 'main'): void {
  createEvent(db, { ...sampleEvent, id: eventId });
  createStage(db, { id: stageId, eventId, title: 'Scenen' });
}

/**
 * The same on a database migrated only part of the way, for tests of a later migration: the event
 * is written with the first schema's columns, which every version has (today's createEvent writes
 * columns later migrations added).
 */
export function createEventWithStageOnOldSchema(db: Database, stage = { id: 'main', title: 'Scenen' }, now = new Date()): void {
  const { id, title, description, timeZone, language, visibility } = sampleEvent;
  db.prepare(`INSERT INTO events (id, title, description, time_zone, language, visibility, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
    id,
    title,
    description ?? '',
    timeZone,
    language,
    visibility,
    now.toISOString(),
    now.toISOString(),
  );
  createStage(db, { ...stage, eventId: id });
}

/** The sample event with the stages `stora` and `lilla`, and a panel on `stora` from 06:30 to 08:00 UTC on 2026-05-20. */
export function createPanelDay(db: Database, now: Date): Talk {
  createEvent(db, sampleEvent, now);
  createStage(db, { id: 'stora', eventId: sampleEvent.id, title: 'Stora scenen', position: 0 });
  createStage(db, { id: 'lilla', eventId: sampleEvent.id, title: 'Lilla scenen', position: 1 });
  return createTalk(db, { stageId: 'stora', title: 'Panelen', kind: 'panel', plannedStart: '2026-05-20T06:30:00Z', plannedEnd: '2026-05-20T08:00:00Z' });
}
