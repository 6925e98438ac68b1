import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiRequestSchemas, socketAuthSchema } from '../../../shared/protocol.js';
import {
  moderatedQuestionSchema,
  moderationActionSchema,
  moderatorQuestionBoardSchema,
  pinSchema,
  publicQuestionBoardSchema,
  publicQuestionSchema,
  questionOnScreenSchema,
  questionOrderSchema,
  questionStatusSchema,
} from '../../../shared/questions.js';
import { questionsCsv } from '../../audience/audienceExport.js';
import { attendeeOf } from '../../audience/questionBoard.js';
import { recordIdSchema } from '../../storage/validation.js';
import { parseInput } from '../../validation.js';
import { fileAnswer, withErrors } from '../apiSchemas.js';
import { credentialsOf, viewerCredentialsOf } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { existingTalk, moderatorRoute, perMinute, sendCsv, stageParams, technicianRoute } from './routeSupport.js';

const tags = ['Questions'];
const statusFilter = z.object({ status: questionStatusSchema.optional() });
const questionParams = stageParams.extend({ questionId: recordIdSchema });
export const talkParams = z.object({ talkId: recordIdSchema });
/** Players send their registration token or viewer pass in this header; the same shape as in the socket handshake. */
const accessHeader = socketAuthSchema.shape.access;

/**
 * Attendees ask and read the approved questions; moderators (technicians, or a stage's moderator
 * links) moderate; technicians export. Attendees on the watch page do the same over the socket
 * (questions:*), where their votes are.
 */
export const questionRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const { questions } = deps;

  app.post(
    '/api/stages/:stageId/questions',
    {
      ...perMinute(deps.config.rateLimitsPerMinute.question),
      schema: {
        tags,
        summary: 'Ask the stage a question (whoever may watch it may ask); it waits for moderation',
        params: stageParams,
        body: apiRequestSchemas.question,
        response: withErrors({ 201: publicQuestionSchema.pick({ id: true, status: true }) }),
      },
    },
    async (request, reply) => {
      const access = parseInput(accessHeader, request.headers['x-estrad-access'], 'X-Estrad-Access header');
      const credentials = { ...credentialsOf(request), access };
      const stage = deps.policy.authorizeJoin(credentials, request.params.stageId, 'viewer');
      // Without a registration, the address is who asks: the per-address limit already applies to it.
      const attendee = attendeeOf(deps.policy.registrationFor(credentials, stage.id), `address:${request.ip}`);
      const question = questions.ask(stage.id, attendee, request.body);
      return reply.code(201).send({ id: question.id, status: question.status });
    },
  );

  app.get(
    '/api/stages/:stageId/questions/public',
    {
      schema: {
        tags,
        summary: 'The approved and answered questions, in the order attendees see them, with counts of every outcome',
        params: stageParams,
        response: withErrors({ 200: publicQuestionBoardSchema }),
      },
    },
    async (request) => {
      const stage = deps.policy.authorizeJoin(viewerCredentialsOf(request), request.params.stageId, 'viewer');
      return questions.publicBoard(stage.id);
    },
  );

  app.get(
    '/api/stages/:stageId/questions',
    moderatorRoute(deps, {
      tags,
      summary: 'Every question of the stage, for its moderators; only those with a status when given',
      params: stageParams,
      querystring: statusFilter,
      response: withErrors({ 200: moderatorQuestionBoardSchema }),
    }),
    async (request) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      const board = questions.moderatorBoard(stage.id);
      const { status } = request.query;
      return status === undefined ? board : { ...board, questions: board.questions.filter((question) => question.status === status) };
    },
  );

  app.post(
    '/api/stages/:stageId/questions/:questionId/actions',
    moderatorRoute(deps, {
      tags,
      summary: 'Approve, decline, answer, reopen, edit or merge a question',
      params: questionParams,
      body: moderationActionSchema,
      response: withErrors({ 200: moderatedQuestionSchema }),
    }),
    async (request) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      return questions.moderate(stage.id, request.params.questionId, request.body);
    },
  );

  app.put(
    '/api/stages/:stageId/questions/order',
    moderatorRoute(deps, {
      tags,
      summary: 'The moderator’s order of the approved questions; those left out follow by votes',
      params: stageParams,
      body: questionOrderSchema,
      response: withErrors({ 200: moderatorQuestionBoardSchema }),
    }),
    async (request) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      questions.setOrder(stage.id, request.body.questionIds);
      return questions.moderatorBoard(stage.id);
    },
  );

  app.put(
    '/api/stages/:stageId/questions/on-screen',
    moderatorRoute(deps, {
      tags,
      summary: 'Put an approved question on screen in every player (or take it down with null)',
      params: stageParams,
      body: pinSchema,
      response: withErrors({ 200: questionOnScreenSchema }),
    }),
    async (request) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      questions.pin(stage.id, request.body.questionId);
      return questions.publicBoard(stage.id).onScreen;
    },
  );

  app.get(
    '/api/talks/:talkId/questions.json',
    technicianRoute(deps, {
      tags,
      summary: 'The talk’s questions with votes and what became of each',
      params: talkParams,
      response: withErrors({ 200: z.object({ talkId: z.string(), questions: z.array(moderatedQuestionSchema) }) }),
    }),
    async (request) => {
      const talk = existingTalk(deps.db, request.params.talkId);
      return { talkId: talk.id, questions: questions.talkQuestions(talk.id) };
    },
  );

  app.get(
    '/api/talks/:talkId/questions.csv',
    technicianRoute(deps, { tags, summary: 'The talk’s questions as CSV', params: talkParams, response: fileAnswer('text/csv', 'One question a line') }),
    async (request, reply) => {
      const talk = existingTalk(deps.db, request.params.talkId);
      return sendCsv(reply, `questions-${talk.id}.csv`, questionsCsv(questions.talkQuestions(talk.id)));
    },
  );
};
