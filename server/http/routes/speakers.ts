/**
 * Backstage: technicians see a stage's invited speakers (in the green room or on air) and take
 * them to air or back. Each change is pushed to the speaker and to the monitors over signalling,
 * and, as every technician action, written to the audit log.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRequestSchemas, stageSpeakerSchema, stageSpeakersResponseSchema } from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import { listSpeakerInvites } from '../../storage/invites.js';
import { withErrors } from '../apiSchemas.js';
import type { HttpDependencies, LiveMediaDependencies } from '../httpServer.js';
import { inviteParams, stageParams, technicianRoute } from './routeSupport.js';

const tags = ['Backstage'];

export const speakerRoutes: FastifyPluginAsyncZod<HttpDependencies & Pick<LiveMediaDependencies, 'registry'>> = async (app, deps) => {
  app.get(
    '/api/stages/:stageId/speakers',
    technicianRoute(deps, {
      tags,
      summary: 'The stage’s invited speakers: backstage or on air, with what they publish',
      params: stageParams,
      response: withErrors({ 200: stageSpeakersResponseSchema }),
    }),
    async (request) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      return { stageId: stage.id, speakers: deps.registry.speakers(stage.id) };
    },
  );

  app.put(
    '/api/stages/:stageId/speakers/:inviteId',
    technicianRoute(deps, {
      tags,
      summary: 'Take an invited speaker to air, or back to the green room (backstage)',
      description:
        'Speakers who open their invite arrive backstage: technicians see and hear them, viewers and the recording do not. ' +
        'A speaker put on air before they connect goes on air when they do; one who stops comes back backstage.',
      params: stageParams.extend(inviteParams.shape),
      body: apiRequestSchemas.speakerPlacement,
      response: withErrors({ 200: stageSpeakerSchema }),
    }),
    async (request) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      const { inviteId } = request.params;
      const { placement } = request.body;
      const invite = listSpeakerInvites(deps.db, stage.id).find((candidate) => candidate.id === inviteId);
      if (!invite) throw new AppError('not_found', `Stage "${stage.id}" has no speaker invite "${inviteId}"; see GET /api/stages/${stage.id}/invites.`);
      if (placement === 'on-air' && (invite.revokedAt !== null || Date.parse(invite.expiresAt) <= Date.now())) {
        throw new AppError('conflict', `The invite "${inviteId}" was revoked or has expired, so its speaker cannot go on air; invite them again.`);
      }
      const speaker = await deps.registry.placeSpeaker(stage.id, { id: invite.id, label: invite.label }, placement);
      request.log.info({ stage: stage.id, invite: invite.id, placement, technician: request.technician?.username }, 'speaker placed');
      return speaker;
    },
  );
};
