/** Technicians list and acknowledge alerts, and set up the webhooks that receive them too. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  alertParamsSchema,
  alertSchema,
  alertsQuerySchema,
  alertsResponseSchema,
  newWebhookSchema,
  webhookDeliveriesResponseSchema,
  webhookDeliverySchema,
  webhookInfoSchema,
  webhookParamsSchema,
  webhooksResponseSchema,
} from '../../../shared/health.js';
import { AppError } from '../../errors.js';
import { noContent, withErrors } from '../apiSchemas.js';
import type { HttpDependencies } from '../httpServer.js';
import { technicianRoute } from './routeSupport.js';

const alertTags = ['Alerts'];
const webhookTags = ['Webhooks'];

export const alertRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const { alerts } = deps;
  const webhooks = alerts.webhooks;
  const unknownWebhook = (id: string) => new AppError('not_found', `There is no webhook "${id}"; GET /api/webhooks lists them.`);

  app.get(
    '/api/alerts',
    technicianRoute(deps, {
      tags: alertTags,
      summary: 'Alerts not acknowledged yet (state=open), or all of them, newest first',
      querystring: alertsQuerySchema,
      response: withErrors({ 200: alertsResponseSchema }),
    }),
    async (request) => ({ alerts: alerts.list({ open: request.query.state === 'open', limit: request.query.limit }) }),
  );

  app.post(
    '/api/alerts/:alertId/acknowledge',
    technicianRoute(deps, {
      tags: alertTags,
      summary: 'Acknowledge an alert: it leaves the open list (acknowledging it again changes nothing)',
      params: alertParamsSchema,
      response: withErrors({ 200: alertSchema }),
    }),
    async (request) => {
      const alert = alerts.acknowledge(request.params.alertId, request.technician!.username);
      if (!alert) throw new AppError('not_found', `There is no alert "${request.params.alertId}".`);
      return alert;
    },
  );

  app.get(
    '/api/webhooks',
    technicianRoute(deps, { tags: webhookTags, summary: 'Every webhook, with its newest delivery', response: withErrors({ 200: webhooksResponseSchema }) }),
    async () => ({ webhooks: webhooks.list() }),
  );

  app.post(
    '/api/webhooks',
    technicianRoute(deps, {
      tags: webhookTags,
      summary:
        'Add a webhook: every alert raised or acknowledged is POSTed to it as JSON, signed in X-Estrad-Signature (sha256=<hex HMAC-SHA256 of the body with the secret>), tried again with a doubling wait until it answers 2xx',
      body: newWebhookSchema,
      response: withErrors({ 201: webhookInfoSchema }),
    }),
    async (request, reply) => reply.code(201).send(webhooks.create({ ...request.body, createdBy: request.technician!.username })),
  );

  app.delete(
    '/api/webhooks/:webhookId',
    technicianRoute(deps, {
      tags: webhookTags,
      summary: 'Remove a webhook and its deliveries',
      params: webhookParamsSchema,
      response: withErrors({ 204: noContent }),
    }),
    async (request, reply) => {
      if (!webhooks.remove(request.params.webhookId)) throw unknownWebhook(request.params.webhookId);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/webhooks/:webhookId/deliveries',
    technicianRoute(deps, {
      tags: webhookTags,
      summary: "The webhook's latest deliveries, newest first: tries, the receiver's answer, when the next try is",
      params: webhookParamsSchema,
      response: withErrors({ 200: webhookDeliveriesResponseSchema }),
    }),
    async (request) => {
      if (!webhooks.exists(request.params.webhookId)) throw unknownWebhook(request.params.webhookId);
      return { deliveries: webhooks.deliveries(request.params.webhookId) };
    },
  );

  app.post(
    '/api/webhooks/:webhookId/test',
    technicianRoute(deps, {
      tags: webhookTags,
      summary: 'Send a test delivery (event webhook.test) to see that the receiver gets and verifies it',
      params: webhookParamsSchema,
      response: withErrors({ 202: webhookDeliverySchema }),
    }),
    async (request, reply) => {
      if (!webhooks.exists(request.params.webhookId)) throw unknownWebhook(request.params.webhookId);
      const id = webhooks.sendTo(request.params.webhookId, 'webhook.test', null);
      return reply.code(202).send(webhooks.delivery(id)!);
    },
  );
};
