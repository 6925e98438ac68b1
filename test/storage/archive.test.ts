import { describe, expect, it } from 'vitest';
import { ftsQuery, searchArchive } from '../../server/storage/archive.js';
import { createEvent } from '../../server/storage/events.js';
import { finishRecording, startRecording } from '../../server/storage/recordings.js';
import { refreshTalkReplays } from '../../server/storage/replays.js';
import { createSpeaker, updateSpeaker } from '../../server/storage/speakers.js';
import { createStage } from '../../server/storage/stages.js';
import { createTalk, updateTalk } from '../../server/storage/talks.js';
import BetterSqlite3 from 'better-sqlite3';
import { migrate, migrations } from '../../server/storage/migrations.js';
import { createEventWithStage, createEventWithStageOnOldSchema, openTempDatabase, sampleEvent } from './helpers.js';

const at = (time: string) => new Date(`2026-05-20T${time}Z`);

/** Two events, three recorded talks with speakers; each talk gets its replay. */
function archive() {
  const db = openTempDatabase();
  createEventWithStage(db);
  createEvent(db, { ...sampleEvent, id: 'andra-dagen', title: 'Andra dagen' });
  createStage(db, { id: 'side', eventId: 'andra-dagen', title: 'Lilla scenen' });
  const karimi = createSpeaker(db, { eventId: sampleEvent.id, name: 'Ahmed Karimi' });
  const sundberg = createSpeaker(db, { eventId: sampleEvent.id, name: 'Eva Sundberg' });
  const talk = (stageId: string, title: string, description: string, start: string, end: string, speakerIds: string[]) =>
    createTalk(db, { stageId, title, description, kind: 'talk', plannedStart: at(start), plannedEnd: at(end), speakerIds });
  const youth = talk('main', 'Barns och ungas psykiska hälsa', 'Nationella siffror', '09:00:00', '09:30:00', [karimi.id]);
  const elderly = talk('main', 'Ensamhet bland äldre', 'Om riskfaktorer och skyddsfaktorer', '09:30:00', '10:00:00', [sundberg.id]);
  const other = talk('side', 'Psykisk hälsa på jobbet', '', '09:00:00', '10:00:00', []);
  for (const stageId of ['main', 'side']) {
    const recording = startRecording(db, stageId, at('09:00:00'));
    finishRecording(db, recording.id, { status: 'complete' }, at('10:00:00'));
    refreshTalkReplays(db, recording.id);
  }
  const talkIds = (filter: Parameters<typeof searchArchive>[1]) => searchArchive(db, filter).map((replay) => replay.talkId);
  return { db, karimi, youth, elderly, other, talkIds };
}

describe('the archive search (SQLite FTS5)', () => {
  it('finds a talk by a speaker’s name, by words of its title, and by its description, also by the start of a word', () => {
    const { youth, elderly, talkIds } = archive();
    expect(talkIds({ query: 'Karimi' })).toEqual([youth.id]);
    expect(talkIds({ query: 'ensamhet äldre' })).toEqual([elderly.id]);
    expect(talkIds({ query: 'riskfakt' })).toEqual([elderly.id]);
    // Without diacritics, as on a keyboard without å, ä, ö.
    expect(talkIds({ query: 'aldre' })).toEqual([elderly.id]);
  });

  it('filters by event and by stage, and lists newest first without a query', () => {
    const { youth, elderly, other, talkIds } = archive();
    expect(talkIds({ query: 'psykisk' })).toEqual(expect.arrayContaining([youth.id, other.id]));
    expect(talkIds({ query: 'psykisk', eventId: 'andra-dagen' })).toEqual([other.id]);
    expect(talkIds({ stageId: 'main' })).toEqual([elderly.id, youth.id]);
    expect(talkIds({})).toHaveLength(3);
  });

  it('keeps up with renamed talks and speakers', () => {
    const { db, karimi, youth, elderly, talkIds } = archive();
    updateSpeaker(db, karimi.id, { name: 'Ahmed Karimi-Lund' });
    expect(talkIds({ query: 'Lund' })).toEqual([youth.id]);
    updateTalk(db, elderly.id, { title: 'Gemenskap på äldre dagar', speakerIds: [karimi.id] });
    expect(talkIds({ query: 'gemenskap' })).toEqual([elderly.id]);
    expect(talkIds({ query: 'Karimi' }).sort()).toEqual([youth.id, elderly.id].sort());
    expect(talkIds({ query: 'Sundberg' })).toEqual([]);
  });

  it('treats FTS5 syntax in what a visitor types as plain words', () => {
    const { talkIds } = archive();
    expect(ftsQuery('"Karimi" OR title:* NEAR(')).toBe('"Karimi"* "OR"* "title"* "NEAR"*');
    expect(ftsQuery(' *** ')).toBeNull();
    expect(talkIds({ query: 'Karimi) OR (' })).toEqual([]);
    expect(talkIds({ query: '***' })).toHaveLength(3);
  });
});

describe('the talk_search migration', () => {
  it('indexes the talks and speakers a database already had before it', () => {
    const talkSearch = migrations.find((migration) => migration.name === 'full-text search over talks')!.version;
    const db = new BetterSqlite3(':memory:');
    migrate(
      db,
      migrations.filter((migration) => migration.version < talkSearch),
    );
    createEventWithStageOnOldSchema(db);
    const speaker = createSpeaker(db, { eventId: sampleEvent.id, name: 'Eva Sundberg' });
    const talk = createTalk(db, {
      stageId: 'main',
      title: 'Ensamhet bland äldre',
      kind: 'talk',
      plannedStart: at('09:00:00'),
      plannedEnd: at('10:00:00'),
      speakerIds: [speaker.id],
    });
    const recording = startRecording(db, 'main', at('09:00:00'));
    finishRecording(db, recording.id, { status: 'complete' }, at('10:00:00'));
    expect(migrate(db)).toEqual(migrations.filter((migration) => migration.version >= talkSearch).map((migration) => migration.version));
    // The replay is what the archive lists; the index it searches is of the talks made above. Its
    // windows follow talks on air (a later migration), so it is made on the migrated database.
    refreshTalkReplays(db, recording.id);
    expect(searchArchive(db, { query: 'Sundberg' }).map((replay) => replay.talkId)).toEqual([talk.id]);
    expect(searchArchive(db, { query: 'ensamhet' }).map((replay) => replay.talkId)).toEqual([talk.id]);
    db.close();
  });
});
