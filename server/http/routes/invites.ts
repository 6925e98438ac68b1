import type { FastifyInstance } from 'fastify';
import { apiRequestSchemas, type IngestKeyResponse, type InviteInfo, type InviteResponse, socketAuthSchema } from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import { createSpeakerInvite, listSpeakerInvites, type SpeakerInvite } from '../../storage/invites.js';
import { parseInput } from '../../validation.js';
import { credentialsOf, requireTechnician } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { inviteParams, pathParams, requireTalkOnStage, stageParams } from './routeSupport.js';

const HOUR_MS = 60 * 60 * 1000;
/** The speak page sends its invite in this header; the same shape as in the socket handshake. */
const inviteHeader = socketAuthSchema.shape.invite;

/** The speaker's link: the speak page with the invite the page connects with. */
export function speakUrl(stageId: string, token: string): string {
  return `/speak/${stageId}?invite=${encodeURIComponent(token)}`;
}

export function registerInviteRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  const { db } = deps;
  const technicianOnly = { preHandler: requireTechnician(deps) };

  app.post('/api/stages/:stageId/invites', technicianOnly, async (request, reply): Promise<InviteResponse> => {
    const stage = deps.policy.existingStage(pathParams(stageParams, request).stageId);
    const { label, talkId, expiresInHours } = parseInput(apiRequestSchemas.invite, request.body, 'invite');
    requireTalkOnStage(db, talkId, stage.id);
    const { invite, token } = createSpeakerInvite(db, { stageId: stage.id, talkId, label, expiresAt: new Date(Date.now() + expiresInHours * HOUR_MS) });
    request.log.info({ invite: invite.id, stage: stage.id, technician: request.technician?.username }, 'speaker invite created');
    reply.code(201);
    return { ...toInviteInfo(invite), token, speakUrl: speakUrl(stage.id, token) };
  });

  app.get('/api/stages/:stageId/ingest-key', technicianOnly, async (request, reply): Promise<IngestKeyResponse> => {
    const { stageId } = pathParams(stageParams, request);
    reply.header('cache-control', 'no-store');
    return { stageId, ingestKey: deps.policy.ingestKeyFor(stageId) };
  });

  app.get('/api/stages/:stageId/invites', technicianOnly, async (request): Promise<{ invites: InviteInfo[] }> => {
    const stage = deps.policy.existingStage(pathParams(stageParams, request).stageId);
    return { invites: listSpeakerInvites(db, stage.id).map(toInviteInfo) };
  });

  // The speak page asks before it asks for the camera: a refused speaker need not grant devices.
  app.get('/api/stages/:stageId/speaker-access', async (request, reply) => {
    const { stageId } = pathParams(stageParams, request);
    const invite = inviteHeader.safeParse(request.headers['x-estrad-invite']);
    if (!invite.success) {
      throw new AppError('forbidden', 'This speaker invite link is damaged (cut short or changed); ask the technicians for a new link.');
    }
    deps.policy.requireSpeaker({ ...credentialsOf(request), invite: invite.data }, deps.policy.existingStage(stageId).id);
    return reply.code(204).send();
  });

  app.delete('/api/invites/:inviteId', technicianOnly, async (request, reply) => {
    const { inviteId } = pathParams(inviteParams, request);
    if (!deps.policy.revokeInvite(inviteId)) throw new AppError('not_found', `There is no active invite "${inviteId}".`);
    request.log.info({ invite: inviteId, technician: request.technician?.username }, 'speaker invite revoked');
    return reply.code(204).send();
  });
}

function toInviteInfo(invite: SpeakerInvite): InviteInfo {
  const { id, stageId, talkId, label, expiresAt, revokedAt, createdAt } = invite;
  return { id, stageId, talkId, label, expiresAt, revokedAt, createdAt };
}
