import type { FastifyInstance } from 'fastify';
import { apiRequestSchemas, type RegistrationResponse } from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import { registerForEvent } from '../../storage/registrations.js';
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

export function registerRegistrationRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  const { db } = deps;

  app.post('/api/registrations', perMinute(deps.config.rateLimitsPerMinute.registration), async (request, reply): Promise<RegistrationResponse> => {
    const input = parseInput(apiRequestSchemas.registration, request.body, 'registration');
    const event = existingEvent(db, input.eventId);
    const [firstStage] = listStages(db, event.id);
    if (!firstStage) throw new AppError('conflict', `The event "${event.id}" has no stage to watch yet; try again later.`);
    const { registration, token, created } = registerForEvent(db, input);
    // An address registered before gets 200 and a new link (the old one stops working).
    reply.code(created ? 201 : 200);
    return { registrationId: registration.id, watchUrl: watchUrl(firstStage.id, token), token };
  });

  app.get('/api/events/:eventId/registrations.csv', { preHandler: requireTechnician(deps) }, async (request, reply) => {
    const event = existingEvent(db, pathParams(eventParams, request).eventId);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="registrations-${event.id}.csv"`)
      .send(exportRegistrationsCsv(db, event.id));
  });
}
