/**
 * An event's programme as a JSON document — the event, its stages, speakers and talks — for
 * backups, moving an event between installations, and editing a programme in bulk. Exporting,
 * importing and exporting again gives the same document.
 *
 * An import is the truth for the event's talks and speakers (those missing from the file are
 * deleted) but never deletes a stage: that would take its recordings and attendance with it.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { createEvent, getEvent, updateEvent } from './events.js';
import { createSpeaker, deleteSpeaker, getSpeaker, listSpeakers, updateSpeaker } from './speakers.js';
import { createStage, getStage, listStages, updateStage } from './stages.js';
import { createTalk, deleteTalk, getTalk, listTalksByEvent, updateTalk } from './talks.js';
import { fieldPath } from '../validation.js';
import { describeIssues, eventFieldsSchema, speakerFieldsSchema, stageFieldsSchema, talkFieldsSchema } from './validation.js';

const PROGRAMME_FORMAT = 'estrad-programme';
const PROGRAMME_VERSION = 1;

export const programmeSchema = z
  .strictObject({
    format: z.literal(PROGRAMME_FORMAT),
    version: z.literal(PROGRAMME_VERSION),
    event: eventFieldsSchema,
    stages: z.array(stageFieldsSchema).min(1).max(50),
    speakers: z.array(speakerFieldsSchema).max(1_000),
    talks: z.array(talkFieldsSchema).max(2_000),
  })
  .superRefine((programme, context) => {
    for (const problem of referenceProblems(programme)) context.addIssue({ code: 'custom', ...problem });
  });

export type Programme = z.output<typeof programmeSchema>;

export interface ProgrammeImportResult {
  eventId: string;
  /** False when the event existed and was updated. */
  eventCreated: boolean;
  stages: number;
  speakers: number;
  talks: number;
}

/** A programme that cannot be imported; `problems` has one line per bad field. Nothing was changed. */
export class ProgrammeImportError extends Error {
  constructor(readonly problems: string[]) {
    super(`The programme cannot be imported:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ProgrammeImportError';
  }
}

interface Problem {
  path: (string | number)[];
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Export

/** The event's programme, or undefined when there is no such event. */
export function exportProgramme(db: Database, eventId: string): Programme | undefined {
  return db.transaction(() => {
    const event = getEvent(db, eventId);
    if (!event) return undefined;
    const { id, title, description, timeZone, language, visibility } = event;
    return {
      format: PROGRAMME_FORMAT,
      version: PROGRAMME_VERSION,
      event: { id, title, description, timeZone, language, visibility },
      stages: listStages(db, eventId).map(({ eventId: _event, ...stage }) => stage),
      speakers: listSpeakers(db, eventId).map(({ eventId: _event, ...speaker }) => speaker),
      talks: listTalksByEvent(db, eventId).map(({ speakers, ...talk }) => ({ ...talk, speakerIds: speakers.map((speaker) => speaker.id) })),
    } satisfies Programme;
  })();
}

// ---------------------------------------------------------------------------------------------
// Import

/**
 * Validates `document` (parsed JSON) and writes it in one transaction: creates or updates the
 * event, its stages, speakers and talks. Throws ProgrammeImportError, with the database
 * unchanged, when anything is wrong.
 */
export function importProgramme(db: Database, document: unknown): ProgrammeImportResult {
  const parsed = programmeSchema.safeParse(document);
  if (!parsed.success) throw new ProgrammeImportError(describeIssues(parsed.error));
  const programme = parsed.data;
  return db.transaction(() => {
    const conflicts = conflictsWithDatabase(db, programme);
    if (conflicts.length > 0) throw new ProgrammeImportError(conflicts.map(describeProblem));
    return writeProgramme(db, programme);
  })();
}

function describeProblem(problem: Problem): string {
  return `${fieldPath(problem.path)}: ${problem.message}`;
}

type ParsedFile = Pick<Programme, 'stages' | 'speakers' | 'talks'>;

/** Problems inside the file itself: duplicate ids and references to things it does not contain. */
function referenceProblems(programme: ParsedFile): Problem[] {
  const problems = [...duplicateIds(programme.stages, 'stages'), ...duplicateIds(programme.speakers, 'speakers'), ...duplicateIds(programme.talks, 'talks')];
  const stageIds = new Set(programme.stages.map((stage) => stage.id));
  const speakerIds = new Set(programme.speakers.map((speaker) => speaker.id));
  programme.talks.forEach((talk, index) => {
    if (!stageIds.has(talk.stageId)) {
      problems.push({ path: ['talks', index, 'stageId'], message: `no stage "${talk.stageId}" in stages` });
    }
    talk.speakerIds.forEach((speakerId, position) => {
      const path = ['talks', index, 'speakerIds', position];
      if (!speakerIds.has(speakerId)) problems.push({ path, message: `no speaker "${speakerId}" in speakers` });
      else if (talk.speakerIds.indexOf(speakerId) !== position) problems.push({ path, message: `speaker "${speakerId}" is listed twice` });
    });
  });
  return problems;
}

function duplicateIds(items: readonly { id: string }[], field: string): Problem[] {
  const seen = new Set<string>();
  return items.flatMap((item, index) => {
    if (!seen.has(item.id)) {
      seen.add(item.id);
      return [];
    }
    return [{ path: [field, index, 'id'], message: `"${item.id}" is used twice` }];
  });
}

/** Problems only the database can show: ids owned by another event, stages the file leaves out. */
function conflictsWithDatabase(db: Database, programme: Programme): Problem[] {
  const eventId = programme.event.id;
  const problems: Problem[] = [];
  const ownedElsewhere = (path: Problem['path'], what: string, owner: string | undefined) => {
    if (owner !== undefined && owner !== eventId) problems.push({ path, message: `${what} belongs to another event ("${owner}")` });
  };
  programme.stages.forEach((stage, index) => ownedElsewhere(['stages', index, 'id'], `stage "${stage.id}"`, getStage(db, stage.id)?.eventId));
  programme.speakers.forEach((speaker, index) => ownedElsewhere(['speakers', index, 'id'], `speaker "${speaker.id}"`, getSpeaker(db, speaker.id)?.eventId));
  programme.talks.forEach((talk, index) => {
    const existing = getTalk(db, talk.id);
    ownedElsewhere(['talks', index, 'id'], `talk "${talk.id}"`, existing && getStage(db, existing.stageId)?.eventId);
  });
  const inFile = new Set(programme.stages.map((stage) => stage.id));
  for (const stage of listStages(db, eventId)) {
    if (inFile.has(stage.id)) continue;
    problems.push({
      path: ['stages'],
      message: `the event has a stage "${stage.id}" that the file leaves out; an import never deletes stages (that would delete their recordings and attendance). Add it to the file, or delete the stage first.`,
    });
  }
  return problems;
}

function writeProgramme(db: Database, programme: Programme): ProgrammeImportResult {
  const eventId = programme.event.id;
  const eventCreated = getEvent(db, eventId) === undefined;
  if (eventCreated) createEvent(db, programme.event);
  else updateEvent(db, eventId, programme.event);

  for (const stage of programme.stages) {
    if (!updateStage(db, stage.id, stage)) createStage(db, { ...stage, eventId });
  }
  removeLeftOut(db, eventId, programme);
  for (const speaker of programme.speakers) {
    if (!updateSpeaker(db, speaker.id, speaker)) createSpeaker(db, { ...speaker, eventId });
  }
  for (const talk of programme.talks) {
    if (!updateTalk(db, talk.id, talk)) createTalk(db, talk);
  }
  return { eventId, eventCreated, stages: programme.stages.length, speakers: programme.speakers.length, talks: programme.talks.length };
}

/** Talks and speakers of the event that the file no longer lists. */
function removeLeftOut(db: Database, eventId: string, programme: Programme): void {
  const talkIds = new Set(programme.talks.map((talk) => talk.id));
  const speakerIds = new Set(programme.speakers.map((speaker) => speaker.id));
  for (const talk of listTalksByEvent(db, eventId)) if (!talkIds.has(talk.id)) deleteTalk(db, talk.id);
  for (const speaker of listSpeakers(db, eventId)) if (!speakerIds.has(speaker.id)) deleteSpeaker(db, speaker.id);
}
