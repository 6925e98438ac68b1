import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  apiRequestSchemas,
  ingestKeyResponseSchema,
  type InviteInfo,
  inviteInfoSchema,
  inviteResponseSchema,
  moderatorInviteResponseSchema,
} from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import { createSpeakerInvite, listSpeakerInvites, type SpeakerInvite } from '../../storage/invites.js';
import { noContent, withErrors } from '../apiSchemas.js';
import { credentialsOf, inviteHeader } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { inviteParams, requireTalkOnStage, stageParams, technicianRoute } from './routeSupport.js';

const tags = ['Speakers'];
const HOUR_MS = 60 * 60 * 1000;

/** The speaker's link: the speak page with the invite the page connects with. */
export function speakUrl(stageId: string, token: string): string {
  return `/speak/${stageId}?invite=${encodeURIComponent(token)}`;
}

/** A moderator's link: the stage's moderation page with the invite the page connects with. */
export function moderateUrl(stageId: string, token: string): string {
  return `/moderate/${stageId}?invite=${encodeURIComponent(token)}`;
}

const expiresIn = (hours: number) => new Date(Date.now() + hours * HOUR_MS);

export const inviteRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const { db } = deps;

  app.post(
    '/api/stages/:stageId/invites',
    technicianRoute(deps, {
      tags,
      summary: 'Invite a speaker to the stage; answers the speaker link',
      params: stageParams,
      body: apiRequestSchemas.invite,
      response: withErrors({ 201: inviteResponseSchema }),
    }),
    async (request, reply) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      const { label, talkId, expiresInHours } = request.body;
      requireTalkOnStage(db, talkId, stage.id);
      const { invite, token } = createSpeakerInvite(db, { stageId: stage.id, talkId, label, expiresAt: expiresIn(expiresInHours) });
      request.log.info({ invite: invite.id, stage: stage.id, technician: request.technician?.username }, 'speaker invite created');
      return reply.code(201).send({ ...toInviteInfo(invite), token, speakUrl: speakUrl(stage.id, token) });
    },
  );

  app.post(
    '/api/stages/:stageId/moderator-invites',
    technicianRoute(deps, {
      tags,
      summary: 'Invite a moderator of the stage’s questions and polls (a panel host); answers the moderation link',
      params: stageParams,
      body: apiRequestSchemas.moderatorInvite,
      response: withErrors({ 201: moderatorInviteResponseSchema }),
    }),
    async (request, reply) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      const { label, expiresInHours } = request.body;
      const { invite, token } = createSpeakerInvite(db, { stageId: stage.id, label, role: 'moderator', expiresAt: expiresIn(expiresInHours) });
      request.log.info({ invite: invite.id, stage: stage.id, technician: request.technician?.username }, 'moderator invite created');
      const { id, stageId, expiresAt } = invite;
      return reply.code(201).send({ id, stageId, label: invite.label, expiresAt, token, moderateUrl: moderateUrl(stage.id, token) });
    },
  );

  app.get(
    '/api/stages/:stageId/ingest-key',
    technicianRoute(deps, {
      tags: ['Ingest'],
      summary: 'The key a plain-RTP source sends',
      params: stageParams,
      response: withErrors({ 200: ingestKeyResponseSchema }),
    }),
    async (request, reply) => {
      const { stageId } = request.params;
      reply.header('cache-control', 'no-store');
      return { stageId, ingestKey: deps.policy.ingestKeyFor(stageId) };
    },
  );

  app.get(
    '/api/stages/:stageId/invites',
    technicianRoute(deps, {
      tags,
      summary: 'The stage’s speaker and moderator invites',
      params: stageParams,
      response: withErrors({ 200: z.object({ invites: z.array(inviteInfoSchema) }) }),
    }),
    async (request) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      return { invites: listSpeakerInvites(db, stage.id).map(toInviteInfo) };
    },
  );

  // The speak page asks before it asks for the camera: a refused speaker need not grant devices.
  app.get(
    '/api/stages/:stageId/speaker-access',
    {
      schema: {
        tags,
        summary: 'Whether the invite in X-Estrad-Invite lets its speaker on the stage',
        params: stageParams,
        response: withErrors({ 204: noContent }),
      },
    },
    async (request, reply) => {
      const { stageId } = request.params;
      const invite = inviteHeader.safeParse(request.headers['x-estrad-invite']);
      if (!invite.success) {
        throw new AppError('invite_invalid', 'This speaker invite link is damaged (cut short or changed); ask the technicians for a new link.');
      }
      deps.policy.requireSpeaker({ ...credentialsOf(request), invite: invite.data }, deps.policy.existingStage(stageId).id);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/api/invites/:inviteId',
    technicianRoute(deps, {
      tags,
      summary: 'Revoke an invite (its speaker leaves the stage, its moderator stops moderating)',
      params: inviteParams,
      response: withErrors({ 204: noContent }),
    }),
    async (request, reply) => {
      const { inviteId } = request.params;
      if (!deps.policy.revokeInvite(inviteId)) throw new AppError('not_found', `There is no active invite "${inviteId}".`);
      request.log.info({ invite: inviteId, technician: request.technician?.username }, 'speaker invite revoked');
      return reply.code(204).send();
    },
  );
};

function toInviteInfo(invite: SpeakerInvite): InviteInfo {
  const { id, stageId, talkId, label, role, expiresAt, revokedAt, createdAt } = invite;
  return { id, stageId, talkId, label, role, expiresAt, revokedAt, createdAt };
}
