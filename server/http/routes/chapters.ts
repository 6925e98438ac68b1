import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { chaptersResponseSchema } from '../../../shared/protocol.js';
import { recordingChapters, replayChapters } from '../../storage/replays.js';
import { recordIdSchema } from '../../storage/validation.js';
import { withErrors } from '../apiSchemas.js';
import type { HttpDependencies } from '../httpServer.js';
import { visibleRecording, visibleReplay } from './recordings.js';

const idParams = z.object({ id: recordIdSchema });
const answersChapters = withErrors({ 200: chaptersResponseSchema });

/** The talks within a replay or a whole stage recording, for the player's chapter list. */
export const chapterRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  app.get(
    '/api/replays/:id/chapters',
    { schema: { tags: ['Replays'], summary: 'The talks within the replay’s window, as chapters', params: idParams, response: answersChapters } },
    async (request) => ({ chapters: replayChapters(deps.db, visibleReplay(request.params.id, request, deps)) }),
  );

  app.get(
    '/api/recordings/:id/chapters',
    { schema: { tags: ['Recordings'], summary: 'The talks within the whole recording, as chapters', params: idParams, response: answersChapters } },
    async (request) => ({ chapters: recordingChapters(deps.db, visibleRecording(request.params.id, request, deps).id) }),
  );
};
