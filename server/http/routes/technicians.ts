import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiRequestSchemas, auditLogResponseSchema, type TechnicianInfo, technicianInfoSchema, techniciansResponseSchema } from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import { listAudit } from '../../storage/auditLog.js';
import { isAlreadyExistsError } from '../../storage/errors.js';
import { createTechnician, listTechnicians, resetTechnicianPassword, setTechnicianDisabled, type Technician } from '../../storage/technicians.js';
import { recordIdSchema } from '../../storage/validation.js';
import { noContent, withErrors } from '../apiSchemas.js';
import type { HttpDependencies } from '../httpServer.js';
import { technicianRoute } from './routeSupport.js';

const tags = ['Technicians'];
const technicianParams = z.object({ technicianId: recordIdSchema });
const auditQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) });

/** Technicians manage technicians, and read what every one of them did. */
export const technicianRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const { db } = deps;
  const unknownTechnician = (id: string) => new AppError('not_found', `There is no technician "${id}".`);

  app.get(
    '/api/technicians',
    technicianRoute(deps, { tags, summary: 'Every technician', response: withErrors({ 200: techniciansResponseSchema }) }),
    async () => ({ technicians: listTechnicians(db).map(toTechnicianInfo) }),
  );

  app.post(
    '/api/technicians',
    technicianRoute(deps, { tags, summary: 'Add a technician', body: apiRequestSchemas.newTechnician, response: withErrors({ 201: technicianInfoSchema }) }),
    async (request, reply) => {
      const { username, password } = request.body;
      try {
        return reply.code(201).send(toTechnicianInfo(await createTechnician(db, username, password)));
      } catch (error) {
        if (isAlreadyExistsError(error)) throw new AppError('conflict', `There is already a technician "${username}"; choose another username.`);
        throw error;
      }
    },
  );

  app.patch(
    '/api/technicians/:technicianId',
    technicianRoute(deps, {
      tags,
      summary: 'Disable a technician (their sessions end) or enable them again',
      params: technicianParams,
      body: apiRequestSchemas.technicianChanges,
      response: withErrors({ 200: technicianInfoSchema }),
    }),
    async (request) => {
      const { technicianId } = request.params;
      if (request.body.disabled && technicianId === request.technician?.id) {
        throw new AppError('conflict', 'You cannot disable yourself; ask another technician to.');
      }
      const changed = setTechnicianDisabled(db, technicianId, request.body.disabled);
      if (!changed) throw unknownTechnician(technicianId);
      return toTechnicianInfo(changed);
    },
  );

  app.put(
    '/api/technicians/:technicianId/password',
    technicianRoute(deps, {
      tags,
      summary: 'Give a technician a new password (their sessions end)',
      params: technicianParams,
      body: apiRequestSchemas.passwordReset,
      response: withErrors({ 204: noContent }),
    }),
    async (request, reply) => {
      const { technicianId } = request.params;
      if (!(await resetTechnicianPassword(db, technicianId, request.body.password))) throw unknownTechnician(technicianId);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/audit-log',
    technicianRoute(deps, {
      tags,
      summary: 'What technicians did, newest first',
      querystring: auditQuery,
      response: withErrors({ 200: auditLogResponseSchema }),
    }),
    async (request) => ({ entries: listAudit(db, request.query.limit) }),
  );
};

function toTechnicianInfo(technician: Technician): TechnicianInfo {
  const { id, username, createdAt, disabledAt } = technician;
  return { id, username, createdAt, disabledAt };
}
