import { createReadStream } from 'node:fs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { recordingDirectory } from '../../recording/layout.js';
import { PosterFrames } from '../../recording/posterFrame.js';
import { replaySegments } from '../../storage/replays.js';
import { recordIdSchema } from '../../storage/validation.js';
import { fileAnswer } from '../apiSchemas.js';
import type { HttpDependencies } from '../httpServer.js';
import { mediaCacheControl } from '../recordingFiles.js';
import { visibleReplay } from './recordings.js';

const idParams = z.object({ id: recordIdSchema });

/**
 * A replay's poster frame, for the archive list and the player. Who may watch the replay may see
 * it, cached like its playlist: revalidated, since moving the in point changes the frame.
 */
export const posterRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const posters = new PosterFrames(deps.logger);

  app.get(
    '/api/replays/:id/poster.jpg',
    { schema: { tags: ['Replays'], summary: 'A frame of the replay, as JPEG', params: idParams, response: fileAnswer('image/jpeg', 'A JPEG picture') } },
    async (request, reply) => {
      const replay = visibleReplay(request.params.id, request, deps);
      if (deps.ffmpeg.missing) throw new AppError('unavailable', deps.ffmpeg.missing);
      const file = await posters.posterOf({
        ffmpegPath: deps.ffmpeg.path,
        directory: recordingDirectory(deps.config.recordingsDir, replay.stageId, replay.recordingId),
        replayId: replay.id,
        segments: replaySegments(deps.db, replay),
      });
      if (!file) throw new AppError('not_found', 'This replay has no picture to show; its recording may be damaged.');
      return reply
        .header('content-type', 'image/jpeg')
        .header('cache-control', mediaCacheControl('revalidate', deps.policy.isPrivateStage(replay.stageId)))
        .send(createReadStream(file));
    },
  );
};
