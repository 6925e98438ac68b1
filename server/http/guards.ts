import type { FastifyReply, FastifyRequest } from 'fastify';
import { socketAuthSchema } from '../../shared/protocol.js';
import type { Credentials } from '../auth/accessPolicy.js';
import { AppError } from '../errors.js';
import type { SpeakerInvite } from '../storage/invites.js';
import type { Technician } from '../storage/technicians.js';
import type { HttpDependencies } from './httpServer.js';

export const SESSION_COOKIE = 'estrad_session';
/**
 * A viewer's access token (registration link or access-code pass) kept by the browser, so that
 * what cannot send the X-Estrad-Access header (a download link, Safari's native HLS player) is
 * let in too. httpOnly: page scripts never need to read it.
 */
export const ACCESS_COOKIE = 'estrad_access';
/** Registration tokens do not expire; the cookie is renewed each time the link is opened. */
const ACCESS_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** What the request carries: the technician's session cookie (the only credential HTTP routes take). */
export function credentialsOf(request: FastifyRequest): Credentials {
  return { sessionToken: request.cookies[SESSION_COOKIE] };
}

/** The speak and moderate pages send their link's invite in this header; the same shape as in the socket handshake. */
export const inviteHeader = socketAuthSchema.shape.invite;

/**
 * HTTP credentials plus a viewer's access token (the X-Estrad-Access header of players, else the
 * cookie) and the invite of a speaker's or moderator's page, which lets them watch their stage.
 */
export function viewerCredentialsOf(request: FastifyRequest): Credentials {
  return { ...credentialsOf(request), access: accessHeaderOf(request) ?? request.cookies[ACCESS_COOKIE], invite: inviteHeaderOf(request) };
}

/** The X-Estrad-Invite header; a damaged one is refused, saying so, rather than ignored. */
function inviteHeaderOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-estrad-invite'];
  if (header === undefined) return undefined;
  const invite = inviteHeader.safeParse(header);
  if (!invite.success) throw new AppError('forbidden', 'This invite link is damaged (cut short or changed); ask the technicians for a new link.');
  return invite.data;
}

function accessHeaderOf(request: FastifyRequest): string | undefined {
  const access = request.headers['x-estrad-access'];
  return typeof access === 'string' ? access : undefined;
}

/** Keeps a viewer's access token in the browser's cookie jar, when it opens a private event. */
export function rememberAccess(
  deps: Pick<HttpDependencies, 'policy'>,
  request: FastifyRequest,
  reply: FastifyReply,
  token: string | undefined,
  expiresAt?: string,
): void {
  if (!token || request.cookies[ACCESS_COOKIE] === token || !deps.policy.accessOpensAnEvent(token)) return;
  reply.setCookie(ACCESS_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    ...(expiresAt ? { expires: new Date(expiresAt) } : { maxAge: ACCESS_COOKIE_MAX_AGE_SECONDS }),
  });
}

/** A player that sends its token in the header gets the cookie too, for its download links. */
export function rememberAccessHeader(deps: Pick<HttpDependencies, 'policy'>, request: FastifyRequest, reply: FastifyReply): void {
  rememberAccess(deps, request, reply, accessHeaderOf(request));
}

/** A preHandler for technician-only routes; the technician is then on `request.technician`. */
export function requireTechnician(deps: Pick<HttpDependencies, 'policy'>) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const technician = deps.policy.technician(credentialsOf(request));
    if (!technician) throw new AppError('unauthorized', 'Sign in as a technician first (POST /api/auth/login).');
    request.technician = technician;
  };
}

/**
 * An onRequest hook for a stage's moderation routes (`:stageId` in the path): technicians, or the
 * holder of a moderator link for that stage in X-Estrad-Invite, who is then on `request.moderator`.
 */
export function requireModerator(deps: Pick<HttpDependencies, 'policy'>) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const { stageId } = request.params as { stageId?: string };
    const moderator = deps.policy.requireModerator(viewerCredentialsOf(request), stageId ?? '');
    if ('technician' in moderator) request.technician = moderator.technician;
    else request.moderator = moderator.invite;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    technician?: Technician;
    /** The moderator link a request of a stage's moderation came with (none for technicians). */
    moderator?: SpeakerInvite;
  }
}
