import type { Database } from 'better-sqlite3';
import type { ProgrammeTalk } from '../../shared/protocol.js';
import type { TalkKind } from '../domain/validation.js';
import { definedFields, preparedOnce } from './prepared.js';
import { createSpeaker, listSpeakers } from './speakers.js';
import { toIsoTime } from './time.js';
import { newId } from './tokens.js';

export type { TalkKind };

/** What a programme shows of a talk's speaker; the full record is in speakers.ts. */
export interface TalkSpeaker {
  id: string;
  name: string;
  organisation: string;
}

export interface Talk {
  id: string;
  stageId: string;
  title: string;
  description: string;
  kind: TalkKind;
  /** ISO-8601 UTC. */
  plannedStart: string;
  /** ISO-8601 UTC, after plannedStart. */
  plannedEnd: string;
  /** Order among talks with the same planned start. */
  position: number;
  /** In the order they are presented. */
  speakers: TalkSpeaker[];
}

export interface TalkInput {
  /** Normally left out (a random UUID is used); programme imports keep theirs. */
  id?: string;
  stageId: string;
  title: string;
  description?: string;
  kind: TalkKind;
  plannedStart: string | Date;
  plannedEnd: string | Date;
  position?: number;
  /** Speakers of the talk's event, in presentation order. */
  speakerIds?: string[];
}

export type TalkChanges = Partial<Omit<TalkInput, 'id'>>;

type TalkRow = Omit<Talk, 'speakers'>;
type TalkSpeakerRow = TalkSpeaker & { talkId: string };

const columns = `talks.id, talks.stage_id AS stageId, talks.title, talks.description, talks.kind,
  talks.planned_start AS plannedStart, talks.planned_end AS plannedEnd, talks.position`;
const speakerColumns = 'talk_speakers.talk_id AS talkId, speakers.id, speakers.name, speakers.organisation';
const speakersJoin = 'talk_speakers JOIN speakers ON speakers.id = talk_speakers.speaker_id';

const statements = preparedOnce((db) => ({
  listByStage: db.prepare<[string], TalkRow>(`SELECT ${columns} FROM talks WHERE stage_id = ? ORDER BY planned_start, position, id`),
  listByEvent: db.prepare<[string], TalkRow>(
    `SELECT ${columns} FROM talks JOIN stages ON stages.id = talks.stage_id
     WHERE stages.event_id = ? ORDER BY stages.position, stages.id, talks.planned_start, talks.position, talks.id`,
  ),
  get: db.prepare<[string], TalkRow>(`SELECT ${columns} FROM talks WHERE id = ?`),
  speakersByStage: db.prepare<[string], TalkSpeakerRow>(
    `SELECT ${speakerColumns} FROM ${speakersJoin} JOIN talks ON talks.id = talk_speakers.talk_id
     WHERE talks.stage_id = ? ORDER BY talk_speakers.position`,
  ),
  speakersByEvent: db.prepare<[string], TalkSpeakerRow>(
    `SELECT ${speakerColumns} FROM ${speakersJoin} WHERE speakers.event_id = ? ORDER BY talk_speakers.position`,
  ),
  speakersByTalk: db.prepare<[string], TalkSpeakerRow>(
    `SELECT ${speakerColumns} FROM ${speakersJoin} WHERE talk_speakers.talk_id = ? ORDER BY talk_speakers.position`,
  ),
  insert: db.prepare<TalkRow>(
    `INSERT INTO talks (id, stage_id, title, description, kind, planned_start, planned_end, position)
     VALUES (@id, @stageId, @title, @description, @kind, @plannedStart, @plannedEnd, @position)`,
  ),
  update: db.prepare<TalkRow>(
    `UPDATE talks SET stage_id = @stageId, title = @title, description = @description, kind = @kind,
       planned_start = @plannedStart, planned_end = @plannedEnd, position = @position
     WHERE id = @id`,
  ),
  delete: db.prepare<[string]>('DELETE FROM talks WHERE id = ?'),
  clearSpeakers: db.prepare<[string]>('DELETE FROM talk_speakers WHERE talk_id = ?'),
  addSpeaker: db.prepare<[string, string, number]>('INSERT INTO talk_speakers (talk_id, speaker_id, position) VALUES (?, ?, ?)'),
}));

/** Attaches speakers fetched in one query, instead of one query per talk. */
function withSpeakers(rows: TalkRow[], speakerRows: TalkSpeakerRow[]): Talk[] {
  const byTalk = new Map<string, TalkSpeaker[]>();
  for (const { talkId, ...speaker } of speakerRows) {
    const list = byTalk.get(talkId) ?? [];
    list.push(speaker);
    byTalk.set(talkId, list);
  }
  return rows.map((row) => ({ ...row, speakers: byTalk.get(row.id) ?? [] }));
}

/** The stage's talks in programme order. */
export function listTalksByStage(db: Database, stageId: string): Talk[] {
  const { listByStage, speakersByStage } = statements(db);
  return withSpeakers(listByStage.all(stageId), speakersByStage.all(stageId));
}

/** The event's talks, stage by stage, in programme order. */
export function listTalksByEvent(db: Database, eventId: string): Talk[] {
  const { listByEvent, speakersByEvent } = statements(db);
  return withSpeakers(listByEvent.all(eventId), speakersByEvent.all(eventId));
}

export function getTalk(db: Database, id: string): Talk | undefined {
  const { get, speakersByTalk } = statements(db);
  const row = get.get(id);
  return row && withSpeakers([row], speakersByTalk.all(id))[0];
}

/**
 * Throws a SqliteError when the stage or a speaker does not exist, a speaker belongs to another
 * event, or the talk would end before it starts.
 */
export function createTalk(db: Database, input: TalkInput): Talk {
  const row: TalkRow = {
    id: input.id ?? newId(),
    stageId: input.stageId,
    title: input.title,
    description: input.description ?? '',
    kind: input.kind,
    plannedStart: toIsoTime(input.plannedStart),
    plannedEnd: toIsoTime(input.plannedEnd),
    position: input.position ?? 0,
  };
  return db.transaction(() => {
    statements(db).insert.run(row);
    setSpeakers(db, row.id, input.speakerIds ?? []);
    return getTalk(db, row.id) as Talk;
  })();
}

/** Changes the given fields; `speakerIds`, when given, replaces the whole list. */
export function updateTalk(db: Database, id: string, changes: TalkChanges): Talk | undefined {
  return db.transaction(() => {
    const existing = getTalk(db, id);
    if (!existing) return undefined;
    const merged = { ...existing, speakerIds: existing.speakers.map((speaker) => speaker.id), ...definedFields(changes) };
    statements(db).update.run({
      id,
      stageId: merged.stageId,
      title: merged.title,
      description: merged.description,
      kind: merged.kind,
      plannedStart: toIsoTime(merged.plannedStart),
      plannedEnd: toIsoTime(merged.plannedEnd),
      position: merged.position,
    });
    // Rewritten even when unchanged, so moving a talk to another event's stage is checked
    // against its speakers by the schema's trigger.
    setSpeakers(db, id, merged.speakerIds);
    return getTalk(db, id);
  })();
}

export function deleteTalk(db: Database, id: string): boolean {
  return statements(db).delete.run(id).changes > 0;
}

function setSpeakers(db: Database, talkId: string, speakerIds: readonly string[]): void {
  const { clearSpeakers, addSpeaker } = statements(db);
  clearSpeakers.run(talkId);
  speakerIds.forEach((speakerId, position) => addSpeaker.run(talkId, speakerId, position));
}

/** The talk as the public programme shows it: its speakers by name. */
export function publicTalk(talk: Talk): ProgrammeTalk {
  const { id, title, description, kind, plannedStart, plannedEnd } = talk;
  return { id, title, description, kind, plannedStart, plannedEnd, speakers: talk.speakers.map(({ name, organisation }) => ({ name, organisation })) };
}

/**
 * The ids of the event's speakers with these names and organisations (case and spacing as typed
 * count the same), creating those it does not have yet: a talk's speakers as the control room
 * types them.
 */
export function speakerIdsByName(db: Database, eventId: string, speakers: readonly { name: string; organisation: string }[]): string[] {
  const key = (speaker: { name: string; organisation: string }) => `${speaker.name.toLocaleLowerCase()}\u0000${speaker.organisation.toLocaleLowerCase()}`;
  const known = new Map(listSpeakers(db, eventId).map((speaker) => [key(speaker), speaker.id]));
  const ids = speakers.map((speaker) => {
    const found = known.get(key(speaker));
    if (found) return found;
    const created = createSpeaker(db, { eventId, name: speaker.name, organisation: speaker.organisation });
    known.set(key(speaker), created.id);
    return created.id;
  });
  // Someone typed twice is on the talk once.
  return [...new Set(ids)];
}
