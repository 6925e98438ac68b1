import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { chapterMarkerInputSchema, chapterMarkerSchema, recordingControlSchema, recordingSwitchSchema } from '../../../shared/programmeControl.js';
import { withErrors } from '../apiSchemas.js';
import type { HttpDependencies } from '../httpServer.js';
import { stageParams, technicianRoute } from './routeSupport.js';

const tags = ['Recording control'];
const answersState = withErrors({ 200: recordingControlSchema });

/** Technicians start and stop a stage's recording apart from going live, set chapter markers, and see the disk. */
export const recordingControlRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const { recordingControl: control } = deps;

  app.get(
    '/api/stages/:stageId/recording',
    technicianRoute(deps, {
      tags,
      summary: 'Whether the stage is recorded, its recording in progress and the free disk space',
      params: stageParams,
      response: answersState,
    }),
    async (request) => control.state(deps.policy.existingStage(request.params.stageId).id),
  );

  app.put(
    '/api/stages/:stageId/recording',
    technicianRoute(deps, {
      tags,
      summary: 'Start or stop recording the stage (while live, at once); the live stream goes on either way',
      params: stageParams,
      body: recordingSwitchSchema,
      response: answersState,
    }),
    async (request) => {
      const stageId = deps.policy.existingStage(request.params.stageId).id;
      control.setRecorded(stageId, request.body.recorded);
      return control.state(stageId);
    },
  );

  app.post(
    '/api/stages/:stageId/chapter-markers',
    technicianRoute(deps, {
      tags,
      summary: 'Set a chapter marker now in the recording in progress; it becomes a chapter of the replays',
      params: stageParams,
      body: chapterMarkerInputSchema,
      response: withErrors({ 201: chapterMarkerSchema }),
    }),
    async (request, reply) => reply.code(201).send(control.addMarker(deps.policy.existingStage(request.params.stageId).id, request.body.title)),
  );
};
