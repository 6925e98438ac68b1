import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRequestSchemas, technicianResponseSchema } from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import { createAuthSession, deleteAuthSession, authenticateTechnician } from '../../storage/technicians.js';
import { noContent, withErrors } from '../apiSchemas.js';
import { credentialsOf, SESSION_COOKIE } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { perMinute, technicianRoute } from './routeSupport.js';

const tags = ['Technicians'];

/** Technicians sign in and out; the session is a cookie. */
export const authRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  app.post(
    '/api/auth/login',
    {
      ...perMinute(deps.config.rateLimitsPerMinute.login),
      schema: { tags, summary: 'Sign in; sets the session cookie', body: apiRequestSchemas.login, response: withErrors({ 200: technicianResponseSchema }) },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const technician = await authenticateTechnician(deps.db, username, password);
      if (!technician) throw new AppError('unauthorized', 'Wrong username or password.');
      // For the audit log: signing in is the technician's first action.
      request.technician = technician;
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

  app.post('/api/auth/logout', { schema: { tags, summary: 'Sign out', response: withErrors({ 204: noContent }) } }, async (request, reply) => {
    const credentials = credentialsOf(request);
    // For the audit log, while the session still names them.
    request.technician = deps.policy.technician(credentials);
    if (credentials.sessionToken) deleteAuthSession(deps.db, credentials.sessionToken);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get(
    '/api/auth/me',
    technicianRoute(deps, { tags, summary: 'The technician signed in', response: withErrors({ 200: technicianResponseSchema }) }),
    async (request) => {
      const technician = request.technician!;
      return { technician: { id: technician.id, username: technician.username } };
    },
  );
};
