import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { openPollSchema, pollBoardSchema, pollSchema } from '../../../shared/questions.js';
import { pollsCsv } from '../../audience/audienceExport.js';
import { recordIdSchema } from '../../storage/validation.js';
import { fileAnswer, withErrors } from '../apiSchemas.js';
import { viewerCredentialsOf } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { talkParams } from './questions.js';
import { existingTalk, moderatorRoute, sendCsv, stageParams, technicianRoute } from './routeSupport.js';

const tags = ['Polls'];
const pollParams = stageParams.extend({ pollId: recordIdSchema });

/** Moderators (technicians, or the stage's moderator links) open and close polls; whoever may watch the stage sees them (attendees vote over the socket, polls:vote). */
export const pollRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const { polls } = deps;

  app.post(
    '/api/stages/:stageId/polls',
    moderatorRoute(deps, {
      tags,
      summary: 'Open a poll for the stage’s attendees',
      params: stageParams,
      body: openPollSchema,
      response: withErrors({ 201: pollSchema }),
    }),
    async (request, reply) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      return reply.code(201).send(polls.open(stage.id, request.body));
    },
  );

  app.post(
    '/api/stages/:stageId/polls/:pollId/close',
    moderatorRoute(deps, { tags, summary: 'Close a poll; its results stay with the talk', params: pollParams, response: withErrors({ 200: pollSchema }) }),
    async (request) => polls.closePoll(deps.policy.existingStage(request.params.stageId).id, request.params.pollId),
  );

  app.get(
    '/api/stages/:stageId/polls',
    { schema: { tags, summary: 'The stage’s polls with their results, newest first', params: stageParams, response: withErrors({ 200: pollBoardSchema }) } },
    async (request) => {
      const stage = deps.policy.authorizeJoin(viewerCredentialsOf(request), request.params.stageId, 'viewer');
      return polls.board(stage.id);
    },
  );

  app.get(
    '/api/talks/:talkId/polls.json',
    technicianRoute(deps, {
      tags,
      summary: 'The talk’s polls and their results',
      params: talkParams,
      response: withErrors({ 200: z.object({ talkId: z.string(), polls: z.array(pollSchema) }) }),
    }),
    async (request) => {
      const talk = existingTalk(deps.db, request.params.talkId);
      return { talkId: talk.id, polls: polls.talkPolls(talk.id) };
    },
  );

  app.get(
    '/api/talks/:talkId/polls.csv',
    technicianRoute(deps, { tags, summary: 'The talk’s poll results as CSV', params: talkParams, response: fileAnswer('text/csv', 'One poll option a line') }),
    async (request, reply) => {
      const talk = existingTalk(deps.db, request.params.talkId);
      return sendCsv(reply, `polls-${talk.id}.csv`, pollsCsv(polls.talkPolls(talk.id)));
    },
  );
};
