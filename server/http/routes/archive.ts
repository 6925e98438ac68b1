import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ArchiveResponse } from '../../../shared/protocol.js';
import { searchArchive } from '../../storage/archive.js';
import { eventIdSchema, stageIdSchema } from '../../storage/validation.js';
import { parseInput } from '../../validation.js';
import { viewerCredentialsOf } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { toReplayInfo, watchFilter } from './recordings.js';

const archiveQuery = z.strictObject({
  q: z.string().max(200).optional(),
  event: eventIdSchema.optional(),
  stage: stageIdSchema.optional(),
});

/** The archive: every replay the requester may watch, searched by words and filtered by event and stage. */
export function registerArchiveRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  app.get('/api/archive', async (request): Promise<ArchiveResponse> => {
    const { q, event, stage } = parseInput(archiveQuery, request.query, 'query');
    const mayWatch = watchFilter(deps, viewerCredentialsOf(request));
    const found = searchArchive(deps.db, { query: q, eventId: event, stageId: stage }).filter((replay) => mayWatch(replay.stageId));
    return {
      replays: found.map(({ eventId, stageTitle, description, ...replay }) => ({ ...toReplayInfo(deps, replay), eventId, stageTitle, description })),
    };
  });
}
