/**
 * What every request of a signed-in technician passes through: state-changing requests from
 * other sites are refused (CSRF), and every action taken is written to the audit log.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { recordAudit } from '../storage/auditLog.js';
import { SESSION_COOKIE } from './guards.js';
import type { HttpDependencies } from './httpServer.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser sends the session cookie with requests other sites make it send, so a request that
 * changes something and carries the cookie must come from our own pages (or an origin in
 * CORS_ORIGINS). Browsers say where a request comes from (Origin, Sec-Fetch-Site); scripts that
 * send neither (curl with a cookie jar) are not browsers tricked by another site, and pass.
 */
export function refuseCrossSiteChanges(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  app.addHook('onRequest', async (request) => {
    if (SAFE_METHODS.has(request.method) || request.cookies[SESSION_COOKIE] === undefined) return;
    const origin = request.headers.origin;
    if (origin !== undefined && (origin === ownOrigin(request) || allowedOrigins.includes(origin))) return;
    const site = request.headers['sec-fetch-site'];
    if (origin === undefined && (site === undefined || site === 'same-origin' || site === 'none')) return;
    throw new AppError(
      'forbidden',
      `This request changes something and comes from another site (${origin ?? site}); make it from Estrad's own pages, or list that site in CORS_ORIGINS.`,
    );
  });
}

function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/**
 * Every state-changing request a technician (or a moderator link's holder) makes that is carried
 * out, with what it was about. A refused one (4xx, 5xx) changed nothing, and leaves nothing behind either.
 */
export function auditTechnicianActions(app: FastifyInstance, deps: Pick<HttpDependencies, 'db'>): void {
  app.addHook('onResponse', async (request, reply) => {
    const actor = actorOf(request);
    if (!actor || SAFE_METHODS.has(request.method) || reply.statusCode >= 400) return;
    recordAudit(deps.db, {
      ...actor,
      action: `${request.method} ${request.routeOptions.url ?? request.url}`,
      subject: stringValues(request.params),
      status: reply.statusCode,
    });
  });
}

function actorOf(request: FastifyRequest): { technicianId: string | null; username: string } | undefined {
  if (request.technician) return { technicianId: request.technician.id, username: request.technician.username };
  const invite = request.moderator;
  return invite && { technicianId: null, username: `moderator link ${invite.label || invite.id}` };
}

function stringValues(params: unknown): Record<string, string> {
  if (typeof params !== 'object' || params === null) return {};
  return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
