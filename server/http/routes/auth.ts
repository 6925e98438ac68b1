import type { FastifyInstance } from 'fastify';
import { apiRequestSchemas, type TechnicianResponse } from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import { createAuthSession, deleteAuthSession, authenticateTechnician } from '../../storage/technicians.js';
import { parseInput } from '../../validation.js';
import { credentialsOf, requireTechnician, SESSION_COOKIE } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';

export function registerAuthRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  app.post(
    '/api/auth/login',
    { config: { rateLimit: { max: deps.config.rateLimitsPerMinute.login, timeWindow: '1 minute' } } },
    async (request, reply): Promise<TechnicianResponse> => {
      const { username, password } = parseInput(apiRequestSchemas.login, request.body, 'sign-in');
      const technician = await authenticateTechnician(deps.db, username, password);
      if (!technician) throw new AppError('unauthorized', 'Wrong username or password.');
      const session = createAuthSession(deps.db, technician.id);
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        // Set Secure whenever the browser reached us over TLS (directly or via a trusted proxy).
        secure: request.protocol === 'https',
        expires: new Date(session.expiresAt),
      });
      request.log.info({ technician: technician.username }, 'technician signed in');
      return { technician: { id: technician.id, username: technician.username } };
    },
  );

  app.post('/api/auth/logout', async (request, reply) => {
    const token = credentialsOf(request).sessionToken;
    if (token) deleteAuthSession(deps.db, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/auth/me', { preHandler: requireTechnician(deps) }, async (request): Promise<TechnicianResponse> => {
    const technician = request.technician!;
    return { technician: { id: technician.id, username: technician.username } };
  });
}
