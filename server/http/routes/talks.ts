import type { Database } from 'better-sqlite3';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  controlTalkSchema,
  newTalkSchema,
  type StageTalksResponse,
  stageTalksResponseSchema,
  talkChangesSchema,
  talkOrderSchema,
} from '../../../shared/programmeControl.js';
import { stageOnAir } from '../../audience/talkOnAir.js';
import { checkSchedule, plannedInstant, reorderedSchedule, ScheduleError } from '../../domain/programme.js';
import { AppError } from '../../errors.js';
import type { Event } from '../../storage/events.js';
import { listReplays } from '../../storage/replays.js';
import { createTalk, deleteTalk, listTalksByStage, speakerIdsByName, updateTalk } from '../../storage/talks.js';
import { recordIdSchema } from '../../storage/validation.js';
import { noContent, withErrors } from '../apiSchemas.js';
import type { HttpDependencies } from '../httpServer.js';
import { existingEvent, existingTalk, stageParams, technicianRoute } from './routeSupport.js';

const tags = ['Programme'];
const talkParams = z.object({ talkId: recordIdSchema });

/**
 * Technicians edit a stage's programme: its talks (title, description, speakers, planned times in
 * the event's time zone), none overlapping another on the stage, and their order.
 */
export const talkRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const { db } = deps;

  app.get(
    '/api/stages/:stageId/talks',
    technicianRoute(deps, {
      tags,
      summary: 'The stage’s talks in programme order, with the talk on air',
      params: stageParams,
      response: withErrors({ 200: stageTalksResponseSchema }),
    }),
    async (request) => stageTalks(db, existingEventOfStage(deps, request.params.stageId), request.params.stageId),
  );

  app.post(
    '/api/stages/:stageId/talks',
    technicianRoute(deps, {
      tags,
      summary: 'Add a talk to the stage’s programme',
      params: stageParams,
      body: newTalkSchema,
      response: withErrors({ 201: controlTalkSchema }),
    }),
    async (request, reply) => {
      const { stageId } = request.params;
      const event = existingEventOfStage(deps, stageId);
      const { speakers, plannedStart, plannedEnd, ...fields } = request.body;
      const planned = plannedTimes(event, { plannedStart, plannedEnd });
      const talk = db.transaction(() => {
        scheduled(() => checkSchedule(planned, listTalksByStage(db, stageId)));
        return createTalk(db, { ...fields, ...planned, stageId, speakerIds: speakerIdsByName(db, event.id, speakers) });
      })();
      return reply.code(201).send(talk);
    },
  );

  app.patch(
    '/api/talks/:talkId',
    technicianRoute(deps, {
      tags,
      summary: 'Change a talk: title, description, kind, speakers, planned times',
      params: talkParams,
      body: talkChangesSchema,
      response: withErrors({ 200: controlTalkSchema }),
    }),
    async (request) => {
      const talk = existingTalk(db, request.params.talkId);
      const event = existingEventOfStage(deps, talk.stageId);
      const { speakers, plannedStart, plannedEnd, ...fields } = request.body;
      const planned = plannedTimes(event, { plannedStart: plannedStart ?? talk.plannedStart, plannedEnd: plannedEnd ?? talk.plannedEnd });
      return db.transaction(() => {
        scheduled(() => checkSchedule({ id: talk.id, ...planned }, listTalksByStage(db, talk.stageId)));
        const speakerIds = speakers && speakerIdsByName(db, event.id, speakers);
        return updateTalk(db, talk.id, { ...fields, ...planned, speakerIds })!;
      })();
    },
  );

  app.delete(
    '/api/talks/:talkId',
    technicianRoute(deps, {
      tags,
      summary: 'Delete a talk that is not on air and has no replays',
      params: talkParams,
      response: withErrors({ 204: noContent }),
    }),
    async (request, reply) => {
      const talk = existingTalk(db, request.params.talkId);
      if (stageOnAir(db, talk.stageId).talk?.id === talk.id) {
        throw new AppError('conflict', `"${talk.title}" is on air; put another talk (or none) on air first.`);
      }
      // A replay is what viewers watch later: deleting it is its own, deliberate step.
      const replays = listReplays(db, { stageId: talk.stageId }).filter((replay) => replay.talkId === talk.id).length;
      if (replays > 0) throw new AppError('conflict', `"${talk.title}" has ${replays} replay(s); delete them first (DELETE /api/replays/:id).`);
      deleteTalk(db, talk.id);
      return reply.code(204).send();
    },
  );

  app.put(
    '/api/stages/:stageId/talk-order',
    technicianRoute(deps, {
      tags,
      summary: 'Reorder the stage’s talks: they take the same time slots in the new order, each keeping its length',
      params: stageParams,
      body: talkOrderSchema,
      response: withErrors({ 200: stageTalksResponseSchema }),
    }),
    async (request) => {
      const { stageId } = request.params;
      const event = existingEventOfStage(deps, stageId);
      db.transaction(() => {
        const slots = scheduled(() => reorderedSchedule(listTalksByStage(db, stageId), request.body.talkIds));
        slots.forEach(({ id, ...planned }, position) => updateTalk(db, id, { ...planned, position }));
      })();
      return stageTalks(db, event, stageId);
    },
  );
};

function existingEventOfStage(deps: HttpDependencies, stageId: string): Event {
  return existingEvent(deps.db, deps.policy.existingStage(stageId).eventId);
}

function stageTalks(db: Database, event: Event, stageId: string): StageTalksResponse {
  return { stageId, eventId: event.id, timeZone: event.timeZone, talks: listTalksByStage(db, stageId), onAir: stageOnAir(db, stageId) };
}

function plannedTimes(event: Event, times: { plannedStart: string; plannedEnd: string }): { plannedStart: string; plannedEnd: string } {
  return { plannedStart: plannedInstant(times.plannedStart, event.timeZone), plannedEnd: plannedInstant(times.plannedEnd, event.timeZone) };
}

/** The schedule rules' refusals as the API's: bad input, or a clash with the stage's other talks. */
function scheduled<T>(rule: () => T): T {
  try {
    return rule();
  } catch (error) {
    if (error instanceof ScheduleError) throw new AppError(error.kind === 'conflict' ? 'conflict' : 'invalid_payload', error.message);
    throw error;
  }
}
