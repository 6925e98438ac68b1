/** GET /api/health: the control room's health snapshot, the same one pushed to it every second (health:follow). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { healthSnapshotSchema } from '../../../shared/health.js';
import type { HealthMonitor } from '../../health/healthMonitor.js';
import { withErrors } from '../apiSchemas.js';
import type { HttpDependencies } from '../httpServer.js';
import { technicianRoute } from './routeSupport.js';

export const healthRoute: FastifyPluginAsyncZod<Pick<HttpDependencies, 'policy'> & { health: HealthMonitor }> = async (app, deps) => {
  app.get(
    '/api/health',
    technicianRoute(deps, {
      tags: ['Server'],
      summary: 'The broadcast at a glance: viewers, feeds, recordings, mediasoup workers, free disk (at most a second old)',
      response: withErrors({ 200: healthSnapshotSchema }),
    }),
    async () => deps.health.current(),
  );
};
