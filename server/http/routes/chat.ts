import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { chatActionSchema, chatBoardSchema, chatMessageParams, chatSettingsSchema, moderatorChatBoardSchema } from '../../../shared/chat.js';
import { withErrors } from '../apiSchemas.js';
import { viewerCredentialsOf } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { moderatorRoute, stageParams } from './routeSupport.js';

const tags = ['Chat'];

/**
 * A stage's chat as its moderators run it (technicians, or the stage's moderator links): turn it
 * on, slow mode, the word filter, and acting on messages. Attendees send and read over the socket
 * (chat:send, chat:list, chat:board); whoever may watch the stage may read it here too.
 */
export const chatRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const { chat } = deps;

  app.get(
    '/api/stages/:stageId/chat/public',
    { schema: { tags, summary: 'The stage’s chat as attendees see it', params: stageParams, response: withErrors({ 200: chatBoardSchema }) } },
    async (request) => chat.board(deps.policy.authorizeJoin(viewerCredentialsOf(request), request.params.stageId, 'viewer').id),
  );

  app.get(
    '/api/stages/:stageId/chat',
    moderatorRoute(deps, {
      tags,
      summary: 'The stage’s chat for its moderators: held and deleted messages too, and the settings',
      params: stageParams,
      response: withErrors({ 200: moderatorChatBoardSchema }),
    }),
    async (request) => chat.moderatorBoard(deps.policy.existingStage(request.params.stageId).id),
  );

  app.put(
    '/api/stages/:stageId/chat',
    moderatorRoute(deps, {
      tags,
      summary: 'Turn the stage’s chat on or off, set slow mode and the words that hold a message for moderation',
      params: stageParams,
      body: chatSettingsSchema,
      response: withErrors({ 200: moderatorChatBoardSchema }),
    }),
    async (request) => chat.configure(deps.policy.existingStage(request.params.stageId).id, request.body),
  );

  app.post(
    '/api/stages/:stageId/chat/messages/:messageId/actions',
    moderatorRoute(deps, {
      tags,
      summary: 'Delete a message, release a held one, or mute its author for some minutes',
      params: stageParams.extend(chatMessageParams.shape),
      body: chatActionSchema,
      response: withErrors({ 200: moderatorChatBoardSchema }),
    }),
    async (request) => chat.moderate(deps.policy.existingStage(request.params.stageId).id, request.params.messageId, request.body),
  );
};
