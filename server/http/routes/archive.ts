import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { archiveResponseSchema } from '../../../shared/protocol.js';
import { searchArchive } from '../../storage/archive.js';
import { eventIdSchema, stageIdSchema } from '../../storage/validation.js';
import { withErrors } from '../apiSchemas.js';
import { viewerCredentialsOf } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { toReplayInfo, watchFilter } from './recordings.js';

const archiveQuery = z.strictObject({
  q: z.string().max(200).optional(),
  event: eventIdSchema.optional(),
  stage: stageIdSchema.optional(),
});

/** The archive: every replay the requester may watch, searched by words and filtered by event and stage. */
export const archiveRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  app.get(
    '/api/archive',
    {
      schema: {
        tags: ['Replays'],
        summary: 'Search the replays one may watch',
        querystring: archiveQuery,
        response: withErrors({ 200: archiveResponseSchema }),
      },
    },
    async (request) => {
      const { q, event, stage } = request.query;
      const mayWatch = watchFilter(deps, viewerCredentialsOf(request));
      const found = searchArchive(deps.db, { query: q, eventId: event, stageId: stage }).filter((replay) => mayWatch(replay.stageId));
      return {
        replays: found.map(({ eventId, stageTitle, description, ...replay }) => ({ ...toReplayInfo(deps, replay), eventId, stageTitle, description })),
      };
    },
  );
};
