import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { chaptersResponseSchema, onScreenResponseSchema } from '../../../shared/protocol.js';
import { recordingQuestionsOnScreen, replayQuestionsOnScreen } from '../../audience/replayPins.js';
import { recordingChapters, replayChapters } from '../../storage/replays.js';
import { recordIdSchema } from '../../storage/validation.js';
import { withErrors } from '../apiSchemas.js';
import type { HttpDependencies } from '../httpServer.js';
import { visibleRecording, visibleReplay } from './recordings.js';

const idParams = z.object({ id: recordIdSchema });
const answersChapters = withErrors({ 200: chaptersResponseSchema });
const answersOnScreen = withErrors({ 200: onScreenResponseSchema });

/**
 * What a replay's timeline holds besides the picture: the talks within a replay or a whole stage
 * recording (the player's chapter list), and the questions on screen while it was recorded.
 */
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

  app.get(
    '/api/replays/:id/questions-on-screen',
    {
      schema: {
        tags: ['Replays'],
        summary: 'The audience questions a moderator had on screen during the replay, in seconds of what it plays',
        params: idParams,
        response: answersOnScreen,
      },
    },
    async (request) => ({ questions: replayQuestionsOnScreen(deps.db, visibleReplay(request.params.id, request, deps)) }),
  );

  app.get(
    '/api/recordings/:id/questions-on-screen',
    {
      schema: {
        tags: ['Recordings'],
        summary: 'The audience questions a moderator had on screen during the recording, in seconds of what it plays',
        params: idParams,
        response: answersOnScreen,
      },
    },
    async (request) => ({ questions: recordingQuestionsOnScreen(deps.db, visibleRecording(request.params.id, request, deps)) }),
  );
};
