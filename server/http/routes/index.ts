import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../httpServer.js';
import { archiveRoutes } from './archive.js';
import { authRoutes } from './auth.js';
import { chapterRoutes } from './chapters.js';
import { chatRoutes } from './chat.js';
import { eventRoutes } from './events.js';
import { inviteRoutes } from './invites.js';
import { pollRoutes } from './polls.js';
import { posterRoutes } from './posters.js';
import { questionRoutes } from './questions.js';
import { recordingRoutes } from './recordings.js';
import { registrationRoutes } from './registrations.js';
import { stageRoutes } from './stages.js';
import { technicianRoutes } from './technicians.js';

/** Every /api route, each concern a plugin of its own (/metrics and ingest points are with the live media routes). */
export async function registerApiRoutes(app: FastifyInstance, deps: HttpDependencies): Promise<void> {
  for (const routes of [
    authRoutes,
    technicianRoutes,
    recordingRoutes,
    archiveRoutes,
    chapterRoutes,
    posterRoutes,
    eventRoutes,
    stageRoutes,
    registrationRoutes,
    inviteRoutes,
    questionRoutes,
    pollRoutes,
    chatRoutes,
  ]) {
    await app.register(routes, deps);
  }
}
