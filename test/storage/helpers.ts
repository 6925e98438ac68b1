import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openDatabase, type Database } from '../../server/storage/database.js';
import { createEvent, type EventInput } from '../../server/storage/events.js';
import { createStage } from '../../server/storage/stages.js';

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
