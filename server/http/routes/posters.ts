import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { recordingDirectory } from '../../recording/layout.js';
import { PosterFrames } from '../../recording/posterFrame.js';
import { replaySegments } from '../../storage/replays.js';
import type { HttpDependencies } from '../httpServer.js';
import { mediaCacheControl } from '../recordingFiles.js';
import { availableFfmpeg, visibleReplay } from './recordings.js';

/**
 * A replay's poster frame, for the archive list and the player. Who may watch the replay may see
 * it, cached like its playlist: revalidated, since moving the in point changes the frame.
 */
export function registerPosterRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  const posters = new PosterFrames(deps.logger);

  app.get('/api/replays/:id/poster.jpg', async (request, reply) => {
    const replay = visibleReplay(request, deps);
    const file = await posters.posterOf({
      ffmpegPath: availableFfmpeg(deps),
      directory: recordingDirectory(deps.config.recordingsDir, replay.stageId, replay.recordingId),
      replayId: replay.id,
      segments: replaySegments(deps.db, replay),
    });
    if (!file) throw new AppError('not_found', 'This replay has no picture to show; its recording may be damaged.');
    return reply
      .header('content-type', 'image/jpeg')
      .header('cache-control', mediaCacheControl('revalidate', deps.policy.isPrivateStage(replay.stageId)))
      .send(createReadStream(file));
  });
}
