import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type HealthResponse, type StagesResponse, stageIdSchema } from '../../shared/protocol.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import type { MediaEngine } from '../media/index.js';

export interface HttpDependencies {
  registry: StageRegistry;
  media: MediaEngine;
  logger: Logger;
  version: string;
  /** The built client (dist/client). */
  clientDir: string;
}

const startedAt = Date.now();

export async function buildHttpServer(deps: HttpDependencies): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, bodyLimit: 64 * 1024 });

  app.get('/healthz', async (_request, reply): Promise<HealthResponse> => {
    const workersAlive = deps.media.workersAlive();
    reply.code(workersAlive > 0 ? 200 : 503);
    return {
      status: workersAlive > 0 ? 'ok' : 'degraded',
      version: deps.version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      mediasoup: { workersAlive, workersConfigured: deps.media.workersConfigured },
    };
  });

  app.get('/api/stages', async (): Promise<StagesResponse> => ({ stages: deps.registry.list() }));

  await registerClientPages(app, deps.clientDir);

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: { code: 'not_found', message: `Nothing at ${request.method} ${request.url}.` } });
  });
  return app;
}

async function registerClientPages(app: FastifyInstance, clientDir: string): Promise<void> {
  if (!existsSync(clientDir)) {
    throw new Error(`The client is not built (no ${clientDir}); run "npm run build" first.`);
  }
  await app.register(fastifyStatic, { root: clientDir, index: 'index.html', wildcard: false });
  for (const page of ['watch', 'speak'] as const) {
    app.get<{ Params: { stageId: string } }>(`/${page}/:stageId`, (request, reply) => {
      if (!stageIdSchema.safeParse(request.params.stageId).success) {
        return reply.code(404).send({ error: { code: 'not_found', message: `"${request.params.stageId}" is not a valid stage name.` } });
      }
      return reply.sendFile(`${page}.html`);
    });
  }
}
