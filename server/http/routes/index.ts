import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../httpServer.js';
import { registerAuthRoutes } from './auth.js';
import { registerEventRoutes } from './events.js';
import { registerIngestPointRoutes } from './ingestPoints.js';
import { registerInviteRoutes } from './invites.js';
import { registerMetricsRoute } from './metrics.js';
import { registerQuestionRoutes } from './questions.js';
import { registerRecordingRoutes } from './recordings.js';
import { registerRegistrationRoutes } from './registrations.js';

/** Every /api route, each group in its own module, and /metrics. */
export function registerApiRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  registerAuthRoutes(app, deps);
  registerRecordingRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerRegistrationRoutes(app, deps);
  registerInviteRoutes(app, deps);
  registerIngestPointRoutes(app, deps);
  registerQuestionRoutes(app, deps);
  registerMetricsRoute(app, deps);
}
