import type { FastifyInstance } from 'fastify';
import { apiRequestSchemas, type RegistrationResponse } from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import { decoyRegistration, registerForEvent, reissueRegistrationToken } from '../../storage/registrations.js';
import { exportRegistrationsCsv } from '../../storage/registrationsCsv.js';
import { listStages } from '../../storage/stages.js';
import { parseInput } from '../../validation.js';
import { requireTechnician } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { eventParams, existingEvent, pathParams, perMinute } from './routeSupport.js';

/** The attendee's personal link: the stage page with the token the player connects with. */
export function watchUrl(stageId: string, token: string): string {
  return `/watch/${stageId}?access=${encodeURIComponent(token)}`;
}

function toRegistrationResponse(stageId: string, registrationId: string, token: string): RegistrationResponse {
  return { registrationId, watchUrl: watchUrl(stageId, token), token };
}

export function registerRegistrationRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  const { db } = deps;

  /**
   * Without a mail transport, the link goes to whoever registers, once. An address registered
   * before is answered exactly like a new one (201, same shape) but with a link that opens
   * nothing: the answer must neither tell a stranger that the address is registered nor give them
   * its owner's link, and the owner's link keeps working. An attendee who lost theirs asks the
   * technicians, who issue a new one (POST .../registrations/link).
   */
  app.post('/api/registrations', perMinute(deps.config.rateLimitsPerMinute.registration), async (request, reply): Promise<RegistrationResponse> => {
    const input = parseInput(apiRequestSchemas.registration, request.body, 'registration');
    const event = existingEvent(db, input.eventId);
    const firstStage = firstStageOf(event.id);
    const registered = registerForEvent(db, input) ?? decoyRegistration();
    reply.code(201);
    return toRegistrationResponse(firstStage, registered.registration.id, registered.token);
  });

  app.post('/api/events/:eventId/registrations/link', { preHandler: requireTechnician(deps) }, async (request): Promise<RegistrationResponse> => {
    const event = existingEvent(db, pathParams(eventParams, request).eventId);
    const { email } = parseInput(apiRequestSchemas.registrationLink, request.body, 'registration link');
    const firstStage = firstStageOf(event.id);
    const reissued = reissueRegistrationToken(db, event.id, email);
    if (!reissued) throw new AppError('not_found', `Nobody registered for "${event.id}" with ${email.trim()}.`);
    request.log.info({ registration: reissued.registration.id, technician: request.technician?.username }, 'registration link issued again');
    return toRegistrationResponse(firstStage, reissued.registration.id, reissued.token);
  });

  function firstStageOf(eventId: string): string {
    const [firstStage] = listStages(db, eventId);
    if (!firstStage) throw new AppError('conflict', `The event "${eventId}" has no stage to watch yet; try again later.`);
    return firstStage.id;
  }

  app.get('/api/events/:eventId/registrations.csv', { preHandler: requireTechnician(deps) }, async (request, reply) => {
    const event = existingEvent(db, pathParams(eventParams, request).eventId);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="registrations-${event.id}.csv"`)
      .send(exportRegistrationsCsv(db, event.id));
  });
}
