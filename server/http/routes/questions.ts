import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiRequestSchemas, questionSchema, questionStatusSchema, socketAuthSchema } from '../../../shared/protocol.js';
import { createQuestion, listQuestions } from '../../storage/questions.js';
import { findRegistrationByToken } from '../../storage/registrations.js';
import { parseInput } from '../../validation.js';
import { withErrors } from '../apiSchemas.js';
import { credentialsOf } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { perMinute, requireTalkOnStage, stageParams, technicianRoute } from './routeSupport.js';

const tags = ['Questions'];
const statusFilter = z.object({ status: questionStatusSchema.optional() });
/** Players send their registration token or viewer pass in this header; the same shape as in the socket handshake. */
const accessHeader = socketAuthSchema.shape.access;

export const questionRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const { db } = deps;

  app.post(
    '/api/stages/:stageId/questions',
    {
      ...perMinute(deps.config.rateLimitsPerMinute.question),
      schema: {
        tags,
        summary: 'Ask the stage a question (whoever may watch it may ask)',
        params: stageParams,
        body: apiRequestSchemas.question,
        response: withErrors({ 201: questionSchema.pick({ id: true, status: true }) }),
      },
    },
    async (request, reply) => {
      const { stageId } = request.params;
      const access = parseInput(accessHeader, request.headers['x-estrad-access'], 'X-Estrad-Access header');
      const stage = deps.policy.authorizeJoin({ ...credentialsOf(request), access }, stageId, 'viewer');
      const input = request.body;
      requireTalkOnStage(db, input.talkId, stage.id);
      const registration = access === undefined ? undefined : findRegistrationByToken(db, access);
      const question = createQuestion(db, {
        ...input,
        stageId: stage.id,
        registrationId: registration?.eventId === stage.eventId ? registration.id : null,
      });
      return reply.code(201).send({ id: question.id, status: question.status });
    },
  );

  app.get(
    '/api/stages/:stageId/questions',
    technicianRoute(deps, {
      tags,
      summary: 'The stage’s questions, by status',
      params: stageParams,
      querystring: statusFilter,
      response: withErrors({ 200: z.object({ questions: z.array(questionSchema) }) }),
    }),
    async (request) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      return { questions: listQuestions(db, stage.id, request.query.status) };
    },
  );
};
