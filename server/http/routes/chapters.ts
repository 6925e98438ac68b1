import type { FastifyInstance } from 'fastify';
import type { ChaptersResponse } from '../../../shared/protocol.js';
import { recordingChapters, replayChapters } from '../../storage/replays.js';
import type { HttpDependencies } from '../httpServer.js';
import { visibleRecording, visibleReplay } from './recordings.js';

/** The talks within a replay or a whole stage recording, for the player's chapter list. */
export function registerChapterRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  app.get('/api/replays/:id/chapters', async (request): Promise<ChaptersResponse> => ({ chapters: replayChapters(deps.db, visibleReplay(request, deps)) }));

  app.get('/api/recordings/:id/chapters', async (request): Promise<ChaptersResponse> => ({
    chapters: recordingChapters(deps.db, visibleRecording(request, deps).id),
  }));
}
