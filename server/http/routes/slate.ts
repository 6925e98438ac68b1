/**
 * A stage's slate: technicians put it up on purpose or take it down, see its picture and replace
 * it (a PNG or JPEG, checked and converted before it is used), or go back to the default one.
 */
import { createReadStream } from 'node:fs';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { stageSlateSchema } from '../../../shared/slate.js';
import { SLATE_IMAGE_MAX_BYTES, type SlateImageType, slateImageTypes } from '../../../shared/slateDefaults.js';
import { AppError } from '../../errors.js';
import type { SlateDirector } from '../../slate/slateDirector.js';
import { fileAnswer, withErrors } from '../apiSchemas.js';
import type { HttpDependencies } from '../httpServer.js';
import { stageParams, technicianRoute } from './routeSupport.js';

const tags = ['Slate'];
const answersSlate = withErrors({ 200: stageSlateSchema });

export const slateRoutes: FastifyPluginAsyncZod<HttpDependencies & { slates: SlateDirector }> = async (app, deps) => {
  const { slates } = deps;
  // Inside this plugin only: any body as the bytes that came (JSON aside), so that a picture of
  // another type is refused by the route, saying which types it takes (415).
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: SLATE_IMAGE_MAX_BYTES }, (_request, body, done) => done(null, body));

  app.get(
    '/api/stages/:stageId/slate',
    technicianRoute(deps, {
      tags,
      summary: 'Whether the slate is up or shown now, and why, and which picture it shows',
      params: stageParams,
      response: answersSlate,
    }),
    async (request) => slates.state(deps.policy.existingStage(request.params.stageId).id),
  );

  for (const [method, up] of [
    ['post', true],
    ['delete', false],
  ] as const) {
    app[method](
      '/api/stages/:stageId/slate',
      technicianRoute(deps, {
        tags,
        summary: up ? 'Put the slate up: viewers and the recording get it instead of the program until it is taken down' : 'Take the slate down',
        params: stageParams,
        response: answersSlate,
      }),
      async (request) => slates.putUp(deps.policy.existingStage(request.params.stageId).id, up),
    );
  }

  app.get(
    '/api/stages/:stageId/slate/image',
    technicianRoute(deps, {
      tags,
      summary: 'The slate’s picture as viewers see it (1280×720 PNG)',
      params: stageParams,
      response: fileAnswer('image/png', 'A PNG picture'),
    }),
    async (request, reply) => {
      const path = await slates.imagePath(deps.policy.existingStage(request.params.stageId).id);
      return reply.header('content-type', 'image/png').header('cache-control', 'no-store').send(createReadStream(path));
    },
  );

  app.put(
    '/api/stages/:stageId/slate/image',
    {
      ...technicianRoute(deps, {
        tags,
        summary: `Replace the slate’s picture: the body is a PNG or JPEG file (Content-Type image/png or image/jpeg, at most ${SLATE_IMAGE_MAX_BYTES / 1024 / 1024} MB), shown fitted into 1280×720`,
        params: stageParams,
        response: answersSlate,
      }),
      bodyLimit: SLATE_IMAGE_MAX_BYTES,
    },
    async (request) => {
      const stageId = deps.policy.existingStage(request.params.stageId).id;
      const type = imageType(request.headers['content-type']);
      if (!Buffer.isBuffer(request.body) || request.body.length === 0)
        throw new AppError('invalid_payload', 'The body is empty; send the PNG or JPEG file itself.');
      const slate = await slates.replaceImage(stageId, request.body, type);
      request.log.info({ stage: stageId, bytes: request.body.length, type }, 'slate picture replaced');
      return slate;
    },
  );

  app.delete(
    '/api/stages/:stageId/slate/image',
    technicianRoute(deps, {
      tags,
      summary: 'Go back to the default slate (“Vi är strax tillbaka / We’ll be right back”)',
      params: stageParams,
      response: answersSlate,
    }),
    async (request) => slates.resetImage(deps.policy.existingStage(request.params.stageId).id),
  );
};

function imageType(contentType: string | undefined): SlateImageType {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  const known = slateImageTypes.find((candidate) => candidate === type);
  if (!known)
    throw new AppError('unsupported_media_type', `Send the picture as image/png or image/jpeg (the request's Content-Type was "${contentType ?? 'none'}").`);
  return known;
}
