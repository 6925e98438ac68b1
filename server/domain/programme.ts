/**
 * An event's programme as a JSON document — the event, its stages, speakers and talks — for
 * backups, moving an event between installations, and editing a programme in bulk: the file's
 * format and the rules an import follows. server/storage/programme.ts reads and writes it.
 *
 * An import is the truth for the event's talks and speakers (those missing from the file are
 * deleted) but never deletes a stage: that would take its recordings and attendance with it.
 *
 * Below, the rules of editing a stage's schedule in the control room: planned times in the
 * event's time zone, no two talks of a stage at once, the next talk, reordering.
 */
import { z } from 'zod';
import { toIsoTime, zonedTimeToUtc } from '../storage/time.js';
import { fieldPath } from '../validation.js';
import { describeIssues, eventFieldsSchema, speakerFieldsSchema, stageFieldsSchema, talkFieldsSchema } from './validation.js';

export const PROGRAMME_FORMAT = 'estrad-programme';
export const PROGRAMME_VERSION = 1;

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

/** The file as a Programme; throws ProgrammeImportError naming each bad field. */
export function parseProgramme(document: unknown): Programme {
  const parsed = programmeSchema.safeParse(document);
  if (!parsed.success) throw new ProgrammeImportError(describeIssues(parsed.error));
  return parsed.data;
}

/** What the database already holds that an import must respect. */
export interface ExistingRecords {
  /** The event a stage, speaker or talk with this id belongs to; undefined when there is none. */
  stageOwner(stageId: string): string | undefined;
  speakerOwner(speakerId: string): string | undefined;
  talkOwner(talkId: string): string | undefined;
  /** The stages the event has now. */
  stageIdsOfEvent(eventId: string): string[];
}

/**
 * Throws ProgrammeImportError when the programme cannot be imported over what exists: ids owned
 * by another event, or stages of the event that the file leaves out (an import never deletes one).
 */
export function checkImportable(programme: Programme, existing: ExistingRecords): void {
  const conflicts = conflictsWithExisting(programme, existing);
  if (conflicts.length > 0) throw new ProgrammeImportError(conflicts.map(describeProblem));
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

function conflictsWithExisting(programme: Programme, existing: ExistingRecords): Problem[] {
  const eventId = programme.event.id;
  const problems: Problem[] = [];
  const ownedElsewhere = (path: Problem['path'], what: string, owner: string | undefined) => {
    if (owner !== undefined && owner !== eventId) problems.push({ path, message: `${what} belongs to another event ("${owner}")` });
  };
  programme.stages.forEach((stage, index) => ownedElsewhere(['stages', index, 'id'], `stage "${stage.id}"`, existing.stageOwner(stage.id)));
  programme.speakers.forEach((speaker, index) => ownedElsewhere(['speakers', index, 'id'], `speaker "${speaker.id}"`, existing.speakerOwner(speaker.id)));
  programme.talks.forEach((talk, index) => ownedElsewhere(['talks', index, 'id'], `talk "${talk.id}"`, existing.talkOwner(talk.id)));
  const inFile = new Set(programme.stages.map((stage) => stage.id));
  for (const stageId of existing.stageIdsOfEvent(eventId)) {
    if (inFile.has(stageId)) continue;
    problems.push({
      path: ['stages'],
      message: `the event has a stage "${stageId}" that the file leaves out; an import never deletes stages (that would delete their recordings and attendance). Add it to the file, or delete the stage first.`,
    });
  }
  return problems;
}

/** The event's talks and speakers that the file no longer lists: an import deletes them. */
export function leftOutOfProgramme(programme: Programme, current: { talkIds: string[]; speakerIds: string[] }): { talkIds: string[]; speakerIds: string[] } {
  const talkIds = new Set(programme.talks.map((talk) => talk.id));
  const speakerIds = new Set(programme.speakers.map((speaker) => speaker.id));
  return { talkIds: current.talkIds.filter((id) => !talkIds.has(id)), speakerIds: current.speakerIds.filter((id) => !speakerIds.has(id)) };
}

// ---------------------------------------------------------------------------------------------
// Editing a stage's schedule in the control room: the rules the talk routes follow.

/** What the schedule rules need of a talk. */
export interface ScheduledTalk {
  id: string;
  title: string;
  /** ISO-8601 UTC, in the database's one shape (they compare as strings). */
  plannedStart: string;
  plannedEnd: string;
}

/** A schedule the control room cannot take: `invalid` input, or a `conflict` with the stage's other talks. */
export class ScheduleError extends Error {
  constructor(
    message: string,
    readonly kind: 'invalid' | 'conflict',
  ) {
    super(message);
    this.name = 'ScheduleError';
  }
}

/** A wall-clock time without a zone, as a datetime-local field gives it: the event's time zone says when. */
const WALL_CLOCK = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/;

/**
 * A planned time as the API takes it, as the instant it means: an ISO-8601 time with a zone is
 * that instant; a wall-clock time ("2026-05-20T09:00") is read in the event's time zone, so a
 * programme is typed as printed whatever the technician's computer is set to.
 */
export function plannedInstant(value: string, timeZone: string): string {
  const wallClock = WALL_CLOCK.exec(value);
  return wallClock ? toIsoTime(zonedTimeToUtc(wallClock[1]!, wallClock[2]!, timeZone)) : toIsoTime(value);
}

/**
 * Throws ScheduleError when the talk ends before it starts, or shares time with another talk of
 * its stage (`others`: the stage's talks; the talk itself among them is ignored). A talk may start
 * when the one before it ends.
 */
export function checkSchedule(talk: { id?: string } & Omit<ScheduledTalk, 'id' | 'title'>, others: readonly ScheduledTalk[]): void {
  if (talk.plannedEnd <= talk.plannedStart) throw new ScheduleError('plannedEnd: must be after plannedStart', 'invalid');
  const clash = others.find((other) => other.id !== talk.id && other.plannedStart < talk.plannedEnd && talk.plannedStart < other.plannedEnd);
  if (clash) {
    throw new ScheduleError(
      `The talk would overlap "${clash.title}" (${clash.plannedStart} to ${clash.plannedEnd}) on the same stage; move one of them, or shorten it.`,
      'conflict',
    );
  }
}

/**
 * The talk that follows `currentId` in programme order (`talks` are in that order); with no talk
 * on air, the first that has not ended by `now`. Undefined after the last.
 */
export function nextTalk<T extends ScheduledTalk>(talks: readonly T[], currentId: string | undefined, now: string): T | undefined {
  const index = currentId === undefined ? -1 : talks.findIndex((talk) => talk.id === currentId);
  if (index >= 0) return talks[index + 1];
  return talks.find((talk) => talk.plannedEnd > now);
}

/**
 * The stage's talks (in programme order) put in `order`, a list of all their ids: the talks take
 * the same slots in turn, from the first talk's start, each keeping its length, with the gaps
 * between slots kept where they were (a lunch at noon stays a gap at that place in the day).
 */
export function reorderedSchedule(talks: readonly ScheduledTalk[], order: readonly string[]): { id: string; plannedStart: string; plannedEnd: string }[] {
  const byId = new Map(talks.map((talk) => [talk.id, talk]));
  const unknown = order.find((id) => !byId.has(id));
  if (unknown !== undefined) throw new ScheduleError(`talkIds: there is no talk "${unknown}" on this stage`, 'invalid');
  if (new Set(order).size !== order.length) throw new ScheduleError('talkIds: a talk is listed twice', 'invalid');
  if (order.length !== talks.length) throw new ScheduleError(`talkIds: list every talk of the stage (${talks.length}), each once`, 'invalid');
  const first = talks[0];
  if (!first) return [];
  const gapsMs = talks.slice(1).map((talk, index) => Math.max(0, Date.parse(talk.plannedStart) - Date.parse(talks[index]!.plannedEnd)));
  let startMs = Date.parse(first.plannedStart);
  return order.map((id, index) => {
    const talk = byId.get(id)!;
    const endMs = startMs + Date.parse(talk.plannedEnd) - Date.parse(talk.plannedStart);
    const slot = { id, plannedStart: toIsoTime(startMs), plannedEnd: toIsoTime(endMs) };
    startMs = endMs + (gapsMs[index] ?? 0);
    return slot;
  });
}
