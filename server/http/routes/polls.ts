import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Poll, PollBoard } from '../../../shared/questions.js';
import { openPollSchema } from '../../../shared/questions.js';
import { pollsCsv } from '../../domain/audienceExport.js';
import { recordIdSchema } from '../../storage/validation.js';
import { parseInput } from '../../validation.js';
import { requireTechnician, viewerCredentialsOf } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { existingTalk, pathParams, stageParams } from './routeSupport.js';

const pollParams = stageParams.extend({ pollId: recordIdSchema });
const talkParams = z.object({ talkId: recordIdSchema });

/** Technicians open and close polls; whoever may watch the stage sees them (attendees vote over the socket, polls:vote). */
export function registerPollRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  const { polls } = deps;
  const technicianOnly = { preHandler: requireTechnician(deps) };

  app.post('/api/stages/:stageId/polls', technicianOnly, async (request, reply): Promise<Poll> => {
    const stage = deps.policy.existingStage(pathParams(stageParams, request).stageId);
    const poll = polls.open(stage.id, parseInput(openPollSchema, request.body, 'poll'));
    reply.code(201);
    return poll;
  });

  app.post('/api/stages/:stageId/polls/:pollId/close', technicianOnly, async (request): Promise<Poll> => {
    const { stageId, pollId } = pathParams(pollParams, request);
    return polls.closePoll(deps.policy.existingStage(stageId).id, pollId);
  });

  app.get('/api/stages/:stageId/polls', async (request): Promise<PollBoard> => {
    const stage = deps.policy.authorizeJoin(viewerCredentialsOf(request), pathParams(stageParams, request).stageId, 'viewer');
    return polls.board(stage.id);
  });

  app.get('/api/talks/:talkId/polls.json', technicianOnly, async (request): Promise<{ talkId: string; polls: Poll[] }> => {
    const talk = existingTalk(deps.db, pathParams(talkParams, request).talkId);
    return { talkId: talk.id, polls: polls.talkPolls(talk.id) };
  });

  app.get('/api/talks/:talkId/polls.csv', technicianOnly, async (request, reply) => {
    const talk = existingTalk(deps.db, pathParams(talkParams, request).talkId);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="polls-${talk.id}.csv"`)
      .send(pollsCsv(polls.talkPolls(talk.id)));
  });
}
