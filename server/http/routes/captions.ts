import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { captionsResponseSchema } from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import { CAPTION_LANGUAGE_PATTERN, captionLanguages, readCaptions, retimedCaptions } from '../../recording/captions.js';
import { recordingDirectory } from '../../recording/layout.js';
import { replayStretch } from '../../storage/replays.js';
import { recordIdSchema } from '../../storage/validation.js';
import { fileAnswer, withErrors } from '../apiSchemas.js';
import type { HttpDependencies } from '../httpServer.js';
import { mediaCacheControl } from '../recordingFiles.js';
import { visibleRecording, visibleReplay } from './recordings.js';

const idParams = z.object({ id: recordIdSchema });
const trackParams = idParams.extend({ language: z.string().regex(CAPTION_LANGUAGE_PATTERN, 'a language tag such as sv or en-GB') });
const answersList = withErrors({ 200: captionsResponseSchema });
const answersFile = fileAnswer('text/vtt', 'WebVTT captions, timed in seconds of what the player plays');

/**
 * The captions of replays and whole recordings (server/recording/captions.ts says where they come
 * from): which languages there are, and each as WebVTT for the player's `<track>`.
 */
export const captionRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const directoryOf = (stageId: string, recordingId: string) => recordingDirectory(deps.config.recordingsDir, stageId, recordingId);
  const sendVtt = (reply: FastifyReply, stageId: string, text: string) =>
    reply
      .header('content-type', 'text/vtt; charset=utf-8')
      // A captioner may still be writing them, or someone correcting them.
      .header('cache-control', mediaCacheControl('revalidate', deps.policy.isPrivateStage(stageId)))
      .send(text);

  app.get(
    '/api/replays/:id/captions',
    { schema: { tags: ['Replays'], summary: 'The replay’s captions, one WebVTT track per language', params: idParams, response: answersList } },
    async (request) => {
      const replay = visibleReplay(request.params.id, request, deps);
      const languages = await captionLanguages(directoryOf(replay.stageId, replay.recordingId));
      return { captions: languages.map((language) => ({ language, url: `/api/replays/${replay.id}/captions/${language}` })) };
    },
  );

  app.get(
    '/api/replays/:id/captions/:language',
    { schema: { tags: ['Replays'], summary: 'The replay’s captions in one language, timed on the replay', params: trackParams, response: answersFile } },
    async (request, reply) => {
      const replay = visibleReplay(request.params.id, request, deps);
      const text = await readCaptions(directoryOf(replay.stageId, replay.recordingId), request.params.language);
      const stretch = replayStretch(deps.db, replay);
      if (!stretch) throw new AppError('not_found', `The replay ${replay.id} has no recorded segments to caption.`);
      const { offsetSeconds, durationSeconds } = stretch;
      return sendVtt(reply, replay.stageId, retimedCaptions(text, offsetSeconds, durationSeconds));
    },
  );

  app.get(
    '/api/recordings/:id/captions',
    { schema: { tags: ['Recordings'], summary: 'The recording’s captions, one WebVTT track per language', params: idParams, response: answersList } },
    async (request) => {
      const recording = visibleRecording(request.params.id, request, deps);
      const languages = await captionLanguages(directoryOf(recording.stageId, recording.id));
      return { captions: languages.map((language) => ({ language, url: `/api/recordings/${recording.id}/captions/${language}` })) };
    },
  );

  app.get(
    '/api/recordings/:id/captions/:language',
    { schema: { tags: ['Recordings'], summary: 'The recording’s captions in one language', params: trackParams, response: answersFile } },
    async (request, reply) => {
      const recording = visibleRecording(request.params.id, request, deps);
      // Stored on the whole recording's timeline: what its playlist plays.
      return sendVtt(reply, recording.stageId, await readCaptions(directoryOf(recording.stageId, recording.id), request.params.language));
    },
  );
};
