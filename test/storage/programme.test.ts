import { describe, expect, it } from 'vitest';
import type { Database } from '../../server/storage/database.js';
import { createEvent } from '../../server/storage/events.js';
import { exportProgramme, importProgramme, ProgrammeImportError, type Programme } from '../../server/storage/programme.js';
import { DEMO_EVENT_ID, seedDemoEvent } from '../../server/storage/seed.js';
import { createStage } from '../../server/storage/stages.js';
import { openTempDatabase, sampleEvent } from './helpers.js';

function demoProgramme(db: Database): Programme {
  seedDemoEvent(db, new Date('2026-05-20T05:00:00.000Z'));
  const programme = exportProgramme(db, DEMO_EVENT_ID);
  if (!programme) throw new Error('no demo programme');
  return programme;
}

/** A deep copy through JSON, as a programme travels in a file. */
function viaJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function importErrors(db: Database, document: unknown): string[] {
  try {
    importProgramme(db, document);
  } catch (error) {
    if (error instanceof ProgrammeImportError) return error.problems;
    throw error;
  }
  throw new Error('the import was accepted');
}

describe('programme export and import', () => {
  it('round-trips: export → import elsewhere → export gives the same document', () => {
    const exported = demoProgramme(openTempDatabase());
    expect(exported.talks.find((talk) => talk.kind === 'panel')?.speakerIds.length).toBeGreaterThanOrEqual(3);

    const other = openTempDatabase();
    expect(importProgramme(other, viaJson(exported))).toEqual({
      eventId: DEMO_EVENT_ID,
      eventCreated: true,
      stages: exported.stages.length,
      speakers: exported.speakers.length,
      talks: exported.talks.length,
    });
    expect(exportProgramme(other, DEMO_EVENT_ID)).toEqual(exported);
    expect(JSON.stringify(exportProgramme(other, DEMO_EVENT_ID))).toBe(JSON.stringify(exported));

    // Importing the same document again changes nothing.
    expect(importProgramme(other, viaJson(exported)).eventCreated).toBe(false);
    expect(exportProgramme(other, DEMO_EVENT_ID)).toEqual(exported);
  });

  it('updates the event in place: edited talks change, left-out talks and speakers go', () => {
    const db = openTempDatabase();
    const programme = viaJson(demoProgramme(db));
    const [first, , ...rest] = programme.talks;
    if (!first) throw new Error('no talks');
    first.title = 'Välkomna!';
    first.plannedStart = '2026-05-20T08:55:00+02:00';
    programme.talks = [first, ...rest];
    const keynoteSpeaker = programme.speakers.find((speaker) => speaker.name === 'Ahmed Karimi');
    programme.speakers = programme.speakers.filter((speaker) => speaker !== keynoteSpeaker);
    programme.event.title = 'Folkhälsodagen – ny titel';
    programme.event.organiser = 'Region Västernorrland';

    importProgramme(db, programme);
    const after = exportProgramme(db, DEMO_EVENT_ID);
    expect(after?.event).toMatchObject({ title: 'Folkhälsodagen – ny titel', organiser: 'Region Västernorrland' });
    expect(after?.talks).toHaveLength(rest.length + 1);
    expect(after?.talks[0]).toMatchObject({ title: 'Välkomna!', plannedStart: '2026-05-20T06:55:00.000Z' });
    expect(after?.speakers.map((speaker) => speaker.name)).not.toContain('Ahmed Karimi');
  });

  it('refuses a bad document, naming each bad field, and leaves the database unchanged', () => {
    const db = openTempDatabase();
    const good = demoProgramme(db);
    const before = exportProgramme(db, DEMO_EVENT_ID);
    const bad = viaJson(good) as Programme & Record<string, unknown>;
    bad.event.timeZone = 'Europe/Sundsvall';
    const [talk0, talk1] = bad.talks;
    if (!talk0 || !talk1) throw new Error('too few talks');
    talk1.plannedEnd = talk1.plannedStart;
    talk0.speakerIds = ['nobody'];
    talk0.stageId = 'no-such-stage';
    bad.talks.push({ ...talk1, id: talk1.id });
    bad.unexpected = true;

    const problems = importErrors(db, bad);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^event\.timeZone: expected an IANA time zone/),
        expect.stringMatching(/^talks\[1\]\.plannedEnd: must be after plannedStart/),
        expect.stringMatching(/unexpected/),
      ]),
    );
    expect(exportProgramme(db, DEMO_EVENT_ID)).toEqual(before);

    const badReferences = viaJson(good);
    const [first] = badReferences.talks;
    if (!first) throw new Error('no talks');
    first.speakerIds = ['nobody'];
    first.stageId = 'no-such-stage';
    badReferences.talks.push({ ...first });
    expect(importErrors(db, badReferences)).toEqual(
      expect.arrayContaining([
        'talks[0].stageId: no stage "no-such-stage" in stages',
        'talks[0].speakerIds[0]: no speaker "nobody" in speakers',
        `talks[${badReferences.talks.length - 1}].id: "${first.id}" is used twice`,
      ]),
    );
    expect(exportProgramme(db, DEMO_EVENT_ID)).toEqual(before);
  });

  it('rolls back when the database refuses part of the import', () => {
    const db = openTempDatabase();
    const good = demoProgramme(db);
    createEvent(db, sampleEvent);
    createStage(db, { id: 'taken', eventId: sampleEvent.id, title: 'Någon annans scen' });

    const stealing = viaJson(good);
    stealing.event.title = 'Ändrad titel som inte får sparas';
    stealing.stages.push({ id: 'taken', title: 'Min scen', position: 1 });
    expect(importErrors(db, stealing)).toEqual(['stages[1].id: stage "taken" belongs to another event ("testdagen")']);

    const leavingOut = viaJson(good);
    leavingOut.event.id = sampleEvent.id;
    leavingOut.stages = [{ id: 'ny-scen', title: 'Ny scen', position: 0 }];
    leavingOut.talks = [];
    leavingOut.speakers = [];
    expect(importErrors(db, leavingOut)).toEqual([expect.stringMatching(/^stages: the event has a stage "taken" that the file leaves out/)]);

    expect(exportProgramme(db, DEMO_EVENT_ID)).toEqual(good);
    expect(exportProgramme(db, sampleEvent.id)?.stages).toEqual([{ id: 'taken', title: 'Någon annans scen', position: 0 }]);
  });

  it('refuses oversized and non-object documents', () => {
    const db = openTempDatabase();
    expect(importErrors(db, 'a string')[0]).toMatch(/^\(the whole file\): /);
    const huge = viaJson(demoProgramme(openTempDatabase()));
    huge.event.title = 'x'.repeat(201);
    expect(importErrors(db, huge)).toEqual([expect.stringMatching(/^event\.title: /)]);
  });

  it('says there is nothing to export for an unknown event', () => {
    expect(exportProgramme(openTempDatabase(), 'missing')).toBeUndefined();
  });
});
