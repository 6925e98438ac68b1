import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRequestSchemas, type RegistrationResponse, registrationResponseSchema } from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import { decoyRegistration, registerForEvent, reissueRegistrationToken } from '../../storage/registrations.js';
import { exportRegistrationsCsv } from '../../storage/registrationsCsv.js';
import { listStages } from '../../storage/stages.js';
import { fileAnswer, withErrors } from '../apiSchemas.js';
import type { HttpDependencies } from '../httpServer.js';
import { eventParams, existingEvent, perMinute, sendCsv, technicianRoute } from './routeSupport.js';

const tags = ['Registrations'];

/** The attendee's personal link: the stage page with the token the player connects with. */
export function watchUrl(stageId: string, token: string): string {
  return `/watch/${stageId}?access=${encodeURIComponent(token)}`;
}

function toRegistrationResponse(stageId: string, registrationId: string, token: string): RegistrationResponse {
  return { registrationId, watchUrl: watchUrl(stageId, token), token };
}

export const registrationRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const { db } = deps;

  /**
   * Without a mail transport, the link goes to whoever registers, once. An address registered
   * before is answered exactly like a new one (201, same shape) but with a link that opens
   * nothing: the answer must neither tell a stranger that the address is registered nor give them
   * its owner's link, and the owner's link keeps working. An attendee who lost theirs asks the
   * technicians, who issue a new one (POST .../registrations/link).
   */
  app.post(
    '/api/registrations',
    {
      ...perMinute(deps.config.rateLimitsPerMinute.registration),
      schema: {
        tags,
        summary: 'Register for an event; answers the personal link',
        body: apiRequestSchemas.registration,
        response: withErrors({ 201: registrationResponseSchema }),
      },
    },
    async (request, reply) => {
      const input = request.body;
      const event = existingEvent(db, input.eventId);
      const firstStage = firstStageOf(event.id);
      const registered = registerForEvent(db, input) ?? decoyRegistration();
      return reply.code(201).send(toRegistrationResponse(firstStage, registered.registration.id, registered.token));
    },
  );

  app.post(
    '/api/events/:eventId/registrations/link',
    technicianRoute(deps, {
      tags,
      summary: 'Issue a registered attendee a new personal link',
      params: eventParams,
      body: apiRequestSchemas.registrationLink,
      response: withErrors({ 200: registrationResponseSchema }),
    }),
    async (request) => {
      const event = existingEvent(db, request.params.eventId);
      const { email } = request.body;
      const firstStage = firstStageOf(event.id);
      const reissued = reissueRegistrationToken(db, event.id, email);
      if (!reissued) throw new AppError('not_found', `Nobody registered for "${event.id}" with ${email.trim()}.`);
      request.log.info({ registration: reissued.registration.id, technician: request.technician?.username }, 'registration link issued again');
      return toRegistrationResponse(firstStage, reissued.registration.id, reissued.token);
    },
  );

  function firstStageOf(eventId: string): string {
    const [firstStage] = listStages(db, eventId);
    if (!firstStage) throw new AppError('conflict', `The event "${eventId}" has no stage to watch yet; try again later.`);
    return firstStage.id;
  }

  app.get(
    '/api/events/:eventId/registrations.csv',
    technicianRoute(deps, { tags, summary: 'The registrations as CSV', params: eventParams, response: fileAnswer('text/csv', 'One registration a line') }),
    async (request, reply) => {
      const event = existingEvent(db, request.params.eventId);
      return sendCsv(reply, `registrations-${event.id}.csv`, exportRegistrationsCsv(db, event.id));
    },
  );
};
