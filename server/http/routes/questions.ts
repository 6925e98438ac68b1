import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { apiRequestSchemas, socketAuthSchema } from '../../../shared/protocol.js';
import { createQuestion, listQuestions, type Question, type QuestionStatus } from '../../storage/questions.js';
import { findRegistrationByToken } from '../../storage/registrations.js';
import { parseInput } from '../../validation.js';
import { credentialsOf, requireTechnician } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { pathParams, perMinute, requireTalkOnStage, stageParams } from './routeSupport.js';

const statusFilter = z.object({
  status: z.enum(['pending', 'approved', 'answered', 'rejected'] as const satisfies readonly QuestionStatus[]).optional(),
});
/** Players send their registration token or viewer pass in this header; the same shape as in the socket handshake. */
const accessHeader = socketAuthSchema.shape.access;

export function registerQuestionRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  const { db } = deps;

  app.post(
    '/api/stages/:stageId/questions',
    perMinute(deps.config.rateLimitsPerMinute.question),
    async (request, reply): Promise<Pick<Question, 'id' | 'status'>> => {
      const { stageId } = pathParams(stageParams, request);
      const access = parseInput(accessHeader, request.headers['x-estrad-access'], 'X-Estrad-Access header');
      // Whoever may watch the stage may ask.
      const stage = deps.policy.authorizeJoin({ ...credentialsOf(request), access }, stageId, 'viewer');
      const input = parseInput(apiRequestSchemas.question, request.body, 'question');
      requireTalkOnStage(db, input.talkId, stage.id);
      const registration = access === undefined ? undefined : findRegistrationByToken(db, access);
      const question = createQuestion(db, {
        ...input,
        stageId: stage.id,
        registrationId: registration?.eventId === stage.eventId ? registration.id : null,
      });
      reply.code(201);
      return { id: question.id, status: question.status };
    },
  );

  app.get('/api/stages/:stageId/questions', { preHandler: requireTechnician(deps) }, async (request): Promise<{ questions: Question[] }> => {
    const stage = deps.policy.existingStage(pathParams(stageParams, request).stageId);
    const { status } = parseInput(statusFilter, request.query, 'query');
    return { questions: listQuestions(db, stage.id, status) };
  });
}
