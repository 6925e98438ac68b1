import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../httpServer.js';
import { registerAuthRoutes } from './auth.js';
import { registerRecordingRoutes } from './recordings.js';

/** Every /api route, each group in its own module. */
export function registerApiRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  registerAuthRoutes(app, deps);
  registerRecordingRoutes(app, deps);
}
