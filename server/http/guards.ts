import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Credentials } from '../auth/accessPolicy.js';
import { AppError } from '../errors.js';
import type { Technician } from '../storage/technicians.js';
import type { HttpDependencies } from './httpServer.js';

export const SESSION_COOKIE = 'estrad_session';

/** What the request carries: the technician's session cookie (the only credential HTTP routes take). */
export function credentialsOf(request: FastifyRequest): Credentials {
  return { sessionToken: request.cookies[SESSION_COOKIE] };
}

/** HTTP credentials plus a viewer's access token, which players send in the X-Estrad-Access header. */
export function viewerCredentialsOf(request: FastifyRequest): Credentials {
  const access = request.headers['x-estrad-access'];
  return { ...credentialsOf(request), access: typeof access === 'string' ? access : undefined };
}

/** A preHandler for technician-only routes; the technician is then on `request.technician`. */
export function requireTechnician(deps: Pick<HttpDependencies, 'policy'>) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const technician = deps.policy.technician(credentialsOf(request));
    if (!technician) throw new AppError('unauthorized', 'Sign in as a technician first (POST /api/auth/login).');
    request.technician = technician;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    technician?: Technician;
  }
}
