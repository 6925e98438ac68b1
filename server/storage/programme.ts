/**
 * Reading and writing an event's programme document (its format and import rules are
 * server/domain/programme.ts): exporting, importing and exporting again gives the same document.
 */
import type { Database } from 'better-sqlite3';
import {
  checkImportable,
  leftOutOfProgramme,
  parseProgramme,
  PROGRAMME_FORMAT,
  PROGRAMME_VERSION,
  type Programme,
  type ProgrammeImportResult,
} from '../domain/programme.js';
import { createEvent, getEvent, updateEvent } from './events.js';
import { createSpeaker, deleteSpeaker, getSpeaker, listSpeakers, updateSpeaker } from './speakers.js';
import { createStage, getStage, listStages, updateStage } from './stages.js';
import { createTalk, deleteTalk, getTalk, listTalksByEvent, updateTalk } from './talks.js';

export { type Programme, ProgrammeImportError, type ProgrammeImportResult } from '../domain/programme.js';

// ---------------------------------------------------------------------------------------------
// Export

/** The event's programme, or undefined when there is no such event. */
export function exportProgramme(db: Database, eventId: string): Programme | undefined {
  return db.transaction(() => {
    const event = getEvent(db, eventId);
    if (!event) return undefined;
    const { id, title, description, organiser, timeZone, language, visibility } = event;
    return {
      format: PROGRAMME_FORMAT,
      version: PROGRAMME_VERSION,
      event: { id, title, description, organiser, timeZone, language, visibility },
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
  const programme = parseProgramme(document);
  return db.transaction(() => {
    checkImportable(programme, {
      stageOwner: (id) => getStage(db, id)?.eventId,
      speakerOwner: (id) => getSpeaker(db, id)?.eventId,
      talkOwner: (id) => {
        const talk = getTalk(db, id);
        return talk && getStage(db, talk.stageId)?.eventId;
      },
      stageIdsOfEvent: (eventId) => listStages(db, eventId).map((stage) => stage.id),
    });
    return writeProgramme(db, programme);
  })();
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
  const current = { talkIds: listTalksByEvent(db, eventId).map((talk) => talk.id), speakerIds: listSpeakers(db, eventId).map((speaker) => speaker.id) };
  const leftOut = leftOutOfProgramme(programme, current);
  for (const talkId of leftOut.talkIds) deleteTalk(db, talkId);
  for (const speakerId of leftOut.speakerIds) deleteSpeaker(db, speakerId);
}
