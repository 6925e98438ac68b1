import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../httpServer.js';
import { registerArchiveRoutes } from './archive.js';
import { registerAuthRoutes } from './auth.js';
import { registerChapterRoutes } from './chapters.js';
import { registerEventRoutes } from './events.js';
import { registerInviteRoutes } from './invites.js';
import { registerPosterRoutes } from './posters.js';
import { registerQuestionRoutes } from './questions.js';
import { registerRecordingRoutes } from './recordings.js';
import { registerRegistrationRoutes } from './registrations.js';

/** Every /api route, each group in its own module (/metrics and ingest points are with the live media routes). */
export function registerApiRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  registerAuthRoutes(app, deps);
  registerRecordingRoutes(app, deps);
  registerArchiveRoutes(app, deps);
  registerChapterRoutes(app, deps);
  registerPosterRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerRegistrationRoutes(app, deps);
  registerInviteRoutes(app, deps);
  registerQuestionRoutes(app, deps);
}
