import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  type AccessResponse,
  apiRequestSchemas,
  type EventProgrammeResponse,
  type EventSummary,
  type EventsResponse,
  type ProgrammeTalk,
} from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import { attendanceByTalk, type TalkAttendance } from '../../storage/attendance.js';
import { isAlreadyExistsError } from '../../storage/errors.js';
import { type Event, getEvent, listEvents, setEventAccessCode, verifyEventAccessCode } from '../../storage/events.js';
import { exportProgramme, importProgramme, type Programme, ProgrammeImportError, type ProgrammeImportResult } from '../../storage/programme.js';
import { createStage, listStages, type Stage } from '../../storage/stages.js';
import { listTalksByEvent, type Talk } from '../../storage/talks.js';
import { stageFieldsSchema } from '../../storage/validation.js';
import { parseInput } from '../../validation.js';
import { rememberAccess, requireTechnician } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { eventNotFound, eventParams, existingEvent, pathParams, perMinute } from './routeSupport.js';

const PASS_TTL_MS = 24 * 60 * 60 * 1000;
/** A programme of 2,000 talks with descriptions needs more than the default body limit. */
const PROGRAMME_BODY_LIMIT = 1024 * 1024;
const newStageSchema = stageFieldsSchema.pick({ id: true, title: true });
/** Just enough of a programme document to see which event it is about; importProgramme checks the rest. */
const programmeEventId = z.looseObject({ event: z.looseObject({ id: z.string() }) }).transform((document) => document.event.id);

export function registerEventRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  const { db } = deps;
  const technicianOnly = { preHandler: requireTechnician(deps) };

  app.get('/api/events', async (): Promise<EventsResponse> => ({
    events: listEvents(db).map((event) => toEventSummary(event, listStages(db, event.id))),
  }));

  app.get('/api/events/:eventId', async (request): Promise<EventProgrammeResponse> => {
    const event = existingEvent(db, pathParams(eventParams, request).eventId);
    const talks = listTalksByEvent(db, event.id);
    return {
      ...toEventSummary(event, []),
      stages: listStages(db, event.id).map((stage) => ({
        id: stage.id,
        title: stage.title,
        talks: talks.filter((talk) => talk.stageId === stage.id).map(toProgrammeTalk),
      })),
    };
  });

  app.get('/api/events/:eventId/programme', technicianOnly, async (request): Promise<Programme> => {
    const { eventId } = pathParams(eventParams, request);
    const programme = exportProgramme(db, eventId);
    if (!programme) throw eventNotFound(eventId);
    return programme;
  });

  app.put('/api/events/:eventId/programme', { ...technicianOnly, bodyLimit: PROGRAMME_BODY_LIMIT }, async (request): Promise<ProgrammeImportResult> => {
    const { eventId } = pathParams(eventParams, request);
    const bodyEventId = programmeEventId.safeParse(request.body).data;
    if (bodyEventId !== undefined && bodyEventId !== eventId) {
      throw new AppError('invalid_payload', `Invalid programme: event.id: must be "${eventId}", the event in the address.`);
    }
    return db.transaction(() => {
      existingEvent(db, eventId);
      return importOrExplain(request.body);
    })();
  });

  app.post('/api/programme', { ...technicianOnly, bodyLimit: PROGRAMME_BODY_LIMIT }, async (request, reply): Promise<ProgrammeImportResult> => {
    const result = db.transaction(() => {
      const eventId = programmeEventId.safeParse(request.body).data;
      if (eventId !== undefined && getEvent(db, eventId)) {
        throw new AppError('conflict', `The event "${eventId}" already exists; import into it with PUT /api/events/${eventId}/programme.`);
      }
      return importOrExplain(request.body);
    })();
    request.log.info({ event: result.eventId, technician: request.technician?.username }, 'programme imported');
    reply.code(201);
    return result;
  });

  app.post('/api/events/:eventId/stages', technicianOnly, async (request, reply): Promise<Stage> => {
    const event = existingEvent(db, pathParams(eventParams, request).eventId);
    const input = parseInput(newStageSchema, request.body, 'stage');
    try {
      const stage = createStage(db, { ...input, eventId: event.id, position: listStages(db, event.id).length });
      reply.code(201);
      return stage;
    } catch (error) {
      if (isAlreadyExistsError(error)) throw new AppError('conflict', `There is already a stage "${input.id}"; stage ids are unique across events.`);
      throw error;
    }
  });

  app.put('/api/events/:eventId/access-code', technicianOnly, async (request, reply) => {
    const { eventId } = pathParams(eventParams, request);
    const { code } = parseInput(apiRequestSchemas.accessCode, request.body, 'access code');
    if (!(await setEventAccessCode(db, eventId, code))) throw eventNotFound(eventId);
    request.log.info({ event: eventId, cleared: code === null }, 'access code changed');
    return reply.code(204).send();
  });

  app.post('/api/events/:eventId/access', perMinute(deps.config.rateLimitsPerMinute.registration), async (request, reply): Promise<AccessResponse> => {
    const event = existingEvent(db, pathParams(eventParams, request).eventId);
    const { code } = parseInput(apiRequestSchemas.access, request.body, 'access code');
    // Without a code, verifyEventAccessCode lets anything through: a private event that only
    // takes registrations must not hand out passes.
    if (!event.hasAccessCode) throw new AppError('forbidden', `The event "${event.id}" has no access code; register for it instead.`);
    if (!(await verifyEventAccessCode(db, event.id, code))) throw new AppError('forbidden', 'That is the wrong access code.');
    const issued = deps.passes.issue(event.id, PASS_TTL_MS);
    rememberAccess(deps, request, reply, issued.pass, issued.expiresAt);
    return issued;
  });

  app.get('/api/events/:eventId/attendance', technicianOnly, async (request): Promise<{ talks: TalkAttendance[] }> => {
    const event = existingEvent(db, pathParams(eventParams, request).eventId);
    return { talks: attendanceByTalk(db, event.id) };
  });

  function importOrExplain(document: unknown): ProgrammeImportResult {
    try {
      return importProgramme(db, document);
    } catch (error) {
      if (!(error instanceof ProgrammeImportError)) throw error;
      const shown = error.problems.slice(0, 10);
      const more = error.problems.length - shown.length;
      throw new AppError('invalid_payload', `Invalid programme: ${shown.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`);
    }
  }
}

function toEventSummary(event: Event, stages: Stage[]): EventSummary {
  const { id, title, description, timeZone, language, visibility, hasAccessCode } = event;
  return { id, title, description, timeZone, language, visibility, hasAccessCode, stages: stages.map(({ id, title }) => ({ id, title })) };
}

function toProgrammeTalk(talk: Talk): ProgrammeTalk {
  const { id, title, description, kind, plannedStart, plannedEnd } = talk;
  return { id, title, description, kind, plannedStart, plannedEnd, speakers: talk.speakers.map(({ name, organisation }) => ({ name, organisation })) };
}
