import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ModeratedQuestion, ModeratorQuestionBoard, PublicQuestion, PublicQuestionBoard } from '../../../shared/questions.js';
import { moderationActionSchema, pinSchema, questionOrderSchema, questionStatusSchema } from '../../../shared/questions.js';
import { apiRequestSchemas, socketAuthSchema } from '../../../shared/protocol.js';
import { attendeeOf } from '../../domain/questionBoard.js';
import { questionsCsv } from '../../domain/audienceExport.js';
import { recordIdSchema } from '../../storage/validation.js';
import { parseInput } from '../../validation.js';
import { credentialsOf, requireTechnician, viewerCredentialsOf } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { existingTalk, pathParams, perMinute, stageParams } from './routeSupport.js';

const statusFilter = z.object({ status: questionStatusSchema.optional() });
const questionParams = stageParams.extend({ questionId: recordIdSchema });
const talkParams = z.object({ talkId: recordIdSchema });
/** Players send their registration token or viewer pass in this header; the same shape as in the socket handshake. */
const accessHeader = socketAuthSchema.shape.access;

/**
 * Attendees ask and read the approved questions; technicians moderate and export. Attendees on
 * the watch page do the same over the socket (questions:*), where their votes are.
 */
export function registerQuestionRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  const { questions } = deps;
  const technicianOnly = { preHandler: requireTechnician(deps) };

  app.post(
    '/api/stages/:stageId/questions',
    perMinute(deps.config.rateLimitsPerMinute.question),
    async (request, reply): Promise<Pick<PublicQuestion, 'id' | 'status'>> => {
      const { stageId } = pathParams(stageParams, request);
      const access = parseInput(accessHeader, request.headers['x-estrad-access'], 'X-Estrad-Access header');
      const credentials = { ...credentialsOf(request), access };
      // Whoever may watch the stage may ask.
      const stage = deps.policy.authorizeJoin(credentials, stageId, 'viewer');
      const input = parseInput(apiRequestSchemas.question, request.body, 'question');
      // Without a registration, the address is who asks: the per-address limit already applies to it.
      const attendee = attendeeOf(deps.policy.registrationFor(credentials, stage.id), `address:${request.ip}`);
      const question = questions.ask(stage.id, attendee, input);
      reply.code(201);
      return { id: question.id, status: question.status };
    },
  );

  app.get('/api/stages/:stageId/questions/public', async (request): Promise<PublicQuestionBoard> => {
    const stage = deps.policy.authorizeJoin(viewerCredentialsOf(request), pathParams(stageParams, request).stageId, 'viewer');
    return questions.publicBoard(stage.id);
  });

  app.get('/api/stages/:stageId/questions', technicianOnly, async (request): Promise<ModeratorQuestionBoard> => {
    const stage = deps.policy.existingStage(pathParams(stageParams, request).stageId);
    const { status } = parseInput(statusFilter, request.query, 'query');
    const board = questions.moderatorBoard(stage.id);
    return status === undefined ? board : { ...board, questions: board.questions.filter((question) => question.status === status) };
  });

  app.post('/api/stages/:stageId/questions/:questionId/actions', technicianOnly, async (request): Promise<ModeratedQuestion> => {
    const { stageId, questionId } = pathParams(questionParams, request);
    const stage = deps.policy.existingStage(stageId);
    return questions.moderate(stage.id, questionId, parseInput(moderationActionSchema, request.body, 'moderation action'));
  });

  app.put('/api/stages/:stageId/questions/order', technicianOnly, async (request): Promise<ModeratorQuestionBoard> => {
    const stage = deps.policy.existingStage(pathParams(stageParams, request).stageId);
    questions.setOrder(stage.id, parseInput(questionOrderSchema, request.body, 'question order').questionIds);
    return questions.moderatorBoard(stage.id);
  });

  app.put('/api/stages/:stageId/questions/on-screen', technicianOnly, async (request): Promise<PublicQuestionBoard['onScreen']> => {
    const stage = deps.policy.existingStage(pathParams(stageParams, request).stageId);
    questions.pin(stage.id, parseInput(pinSchema, request.body, 'question on screen').questionId);
    return questions.publicBoard(stage.id).onScreen;
  });

  app.get('/api/talks/:talkId/questions.json', technicianOnly, async (request): Promise<{ talkId: string; questions: ModeratedQuestion[] }> => {
    const talk = existingTalk(deps.db, pathParams(talkParams, request).talkId);
    return { talkId: talk.id, questions: questions.talkQuestions(talk.id) };
  });

  app.get('/api/talks/:talkId/questions.csv', technicianOnly, async (request, reply) => {
    const talk = existingTalk(deps.db, pathParams(talkParams, request).talkId);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="questions-${talk.id}.csv"`)
      .send(questionsCsv(questions.talkQuestions(talk.id)));
  });
}
