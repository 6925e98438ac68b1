import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  accessResponseSchema,
  apiRequestSchemas,
  eventProgrammeResponseSchema,
  type EventSummary,
  eventsResponseSchema,
  programmeImportResultSchema,
  stageSchema,
  talkAttendanceSchema,
} from '../../../shared/protocol.js';
import { talkAudienceExports } from '../../audience/audienceExport.js';
import { AppError } from '../../errors.js';
import { attendanceByTalk } from '../../storage/attendance.js';
import { isAlreadyExistsError } from '../../storage/errors.js';
import { type Event, getEvent, listEvents, setEventAccessCode, verifyEventAccessCode } from '../../storage/events.js';
import { programmeSchema } from '../../domain/programme.js';
import { exportProgramme, importProgramme, ProgrammeImportError, type ProgrammeImportResult } from '../../storage/programme.js';
import { createStage, listStages, type Stage } from '../../storage/stages.js';
import { listTalksByEvent, publicTalk } from '../../storage/talks.js';
import { stageFieldsSchema } from '../../storage/validation.js';
import { noContent, withErrors } from '../apiSchemas.js';
import { rememberAccess } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { eventNotFound, eventParams, existingEvent, perMinute, technicianRoute } from './routeSupport.js';

const tags = ['Events'];
const PASS_TTL_MS = 24 * 60 * 60 * 1000;
/** A programme of 2,000 talks with descriptions needs more than the default body limit. */
const PROGRAMME_BODY_LIMIT = 1024 * 1024;
const newStageSchema = stageFieldsSchema.pick({ id: true, title: true });

export const eventRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const { db } = deps;

  app.get('/api/events', { schema: { tags, summary: 'Every event with its stages', response: withErrors({ 200: eventsResponseSchema }) } }, async () => ({
    events: listEvents(db).map((event) => toEventSummary(event, listStages(db, event.id))),
  }));

  app.get(
    '/api/events/:eventId',
    { schema: { tags, summary: 'The public programme of an event', params: eventParams, response: withErrors({ 200: eventProgrammeResponseSchema }) } },
    async (request) => {
      const event = existingEvent(db, request.params.eventId);
      const talks = listTalksByEvent(db, event.id);
      return {
        ...toEventSummary(event, []),
        stages: listStages(db, event.id).map((stage) => ({
          id: stage.id,
          title: stage.title,
          talks: talks.filter((talk) => talk.stageId === stage.id).map(publicTalk),
        })),
      };
    },
  );

  app.get(
    '/api/events/:eventId/programme',
    technicianRoute(deps, { tags, summary: 'Export the programme document', params: eventParams, response: withErrors({ 200: programmeSchema }) }),
    async (request) => {
      const { eventId } = request.params;
      const programme = exportProgramme(db, eventId);
      if (!programme) throw eventNotFound(eventId);
      return programme;
    },
  );

  app.put(
    '/api/events/:eventId/programme',
    {
      ...technicianRoute(deps, {
        tags,
        summary: 'Import a programme document into the event',
        params: eventParams,
        body: programmeSchema,
        response: withErrors({ 200: programmeImportResultSchema }),
      }),
      bodyLimit: PROGRAMME_BODY_LIMIT,
    },
    async (request) => {
      const { eventId } = request.params;
      if (request.body.event.id !== eventId) {
        throw new AppError('invalid_payload', `Invalid programme: event.id: must be "${eventId}", the event in the address.`);
      }
      return db.transaction(() => {
        existingEvent(db, eventId);
        return importOrExplain(request.body);
      })();
    },
  );

  app.post(
    '/api/programme',
    {
      ...technicianRoute(deps, {
        tags,
        summary: 'Create an event from a programme document',
        body: programmeSchema,
        response: withErrors({ 201: programmeImportResultSchema }),
      }),
      bodyLimit: PROGRAMME_BODY_LIMIT,
    },
    async (request, reply) => {
      const result = db.transaction(() => {
        const eventId = request.body.event.id;
        if (getEvent(db, eventId)) {
          throw new AppError('conflict', `The event "${eventId}" already exists; import into it with PUT /api/events/${eventId}/programme.`);
        }
        return importOrExplain(request.body);
      })();
      request.log.info({ event: result.eventId, technician: request.technician?.username }, 'programme imported');
      return reply.code(201).send(result);
    },
  );

  app.post(
    '/api/events/:eventId/stages',
    technicianRoute(deps, { tags, summary: 'Add a stage to the event', params: eventParams, body: newStageSchema, response: withErrors({ 201: stageSchema }) }),
    async (request, reply) => {
      const event = existingEvent(db, request.params.eventId);
      const input = request.body;
      try {
        const stage = createStage(db, { ...input, eventId: event.id, position: listStages(db, event.id).length });
        return reply.code(201).send(stage);
      } catch (error) {
        if (isAlreadyExistsError(error)) throw new AppError('conflict', `There is already a stage "${input.id}"; stage ids are unique across events.`);
        throw error;
      }
    },
  );

  app.put(
    '/api/events/:eventId/access-code',
    technicianRoute(deps, {
      tags,
      summary: 'Set or clear the access code of a private event',
      params: eventParams,
      body: apiRequestSchemas.accessCode,
      response: withErrors({ 204: noContent }),
    }),
    async (request, reply) => {
      const { eventId } = request.params;
      const { code } = request.body;
      if (!(await setEventAccessCode(db, eventId, code))) throw eventNotFound(eventId);
      request.log.info({ event: eventId, cleared: code === null }, 'access code changed');
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/events/:eventId/access',
    {
      ...perMinute(deps.config.rateLimitsPerMinute.registration),
      schema: {
        tags,
        summary: 'Trade the event access code for a viewer pass',
        params: eventParams,
        body: apiRequestSchemas.access,
        response: withErrors({ 200: accessResponseSchema }),
      },
    },
    async (request, reply) => {
      const event = existingEvent(db, request.params.eventId);
      const { code } = request.body;
      // Without a code, verifyEventAccessCode lets anything through: a private event that only
      // takes registrations must not hand out passes.
      if (!event.hasAccessCode) throw new AppError('forbidden', `The event "${event.id}" has no access code; register for it instead.`);
      if (!(await verifyEventAccessCode(db, event.id, code))) throw new AppError('forbidden', 'That is the wrong access code.');
      const issued = deps.passes.issue(event.id, PASS_TTL_MS);
      rememberAccess(deps, request, reply, issued.pass, issued.expiresAt);
      return issued;
    },
  );

  app.get(
    '/api/events/:eventId/attendance',
    technicianRoute(deps, {
      tags,
      summary: 'Attendance per talk, with links to its questions and poll results',
      params: eventParams,
      response: withErrors({ 200: z.object({ talks: z.array(talkAttendanceSchema) }) }),
    }),
    async (request) => {
      const event = existingEvent(db, request.params.eventId);
      return { talks: attendanceByTalk(db, event.id).map((talk) => ({ ...talk, audienceExports: talkAudienceExports(talk.talkId) })) };
    },
  );

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
};

function toEventSummary(event: Event, stages: Stage[]): EventSummary {
  const { id, title, description, organiser, timeZone, language, visibility, hasAccessCode } = event;
  return { id, title, description, organiser, timeZone, language, visibility, hasAccessCode, stages: stages.map(({ id, title }) => ({ id, title })) };
}
