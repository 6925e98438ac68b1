/** What the event, registration, invite and question routes share: path parameters, lookups, limits. */
import type { Database } from 'better-sqlite3';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { type Event, getEvent } from '../../storage/events.js';
import { getTalk, type Talk } from '../../storage/talks.js';
import { eventIdSchema, recordIdSchema, stageIdSchema } from '../../storage/validation.js';
import { parseInput } from '../../validation.js';
import { requireModerator, requireTechnician } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';

export const eventParams = z.object({ eventId: eventIdSchema });
export const stageParams = z.object({ stageId: stageIdSchema });
export const inviteParams = z.object({ inviteId: recordIdSchema });
export const ingestPointParams = z.object({ ingestPointId: recordIdSchema });

/**
 * Options of a route only technicians may call: the session is checked first (onRequest), so
 * callers who are not signed in learn that before anything about their input.
 */
export function technicianRoute<S extends FastifySchema>(deps: Pick<HttpDependencies, 'policy'>, schema: S) {
  return { onRequest: requireTechnician(deps), schema: { ...schema, security: [{ technicianSession: [] }] } };
}

/** Options of a route of a stage's moderation (`:stageId` in the path): technicians, or that stage's moderator links. */
export function moderatorRoute<S extends FastifySchema>(deps: Pick<HttpDependencies, 'policy'>, schema: S) {
  const security: Record<string, string[]>[] = [{ technicianSession: [] }, { moderatorInvite: [] }];
  return { onRequest: requireModerator(deps), schema: { ...schema, security } };
}

/** Path parameters of a route without a schema of its own (WHIP, which is not part of the JSON API). */
export function pathParams<S extends z.ZodType>(schema: S, request: FastifyRequest): z.output<S> {
  return parseInput(schema, request.params, 'path');
}

/** Route options that allow `max` requests a minute from one client. */
export function perMinute(max: number) {
  return { config: { rateLimit: { max, timeWindow: '1 minute' } } };
}

export function eventNotFound(eventId: string): AppError {
  return new AppError('not_found', `There is no event "${eventId}".`);
}

export function existingEvent(db: Database, eventId: string): Event {
  const event = getEvent(db, eventId);
  if (!event) throw eventNotFound(eventId);
  return event;
}

/** A talk id from a request must name a talk on the stage the request is about. */
export function requireTalkOnStage(db: Database, talkId: string | undefined, stageId: string): void {
  if (talkId !== undefined && getTalk(db, talkId)?.stageId !== stageId) {
    throw new AppError('invalid_payload', `Invalid talkId: there is no talk "${talkId}" on stage "${stageId}".`);
  }
}

export function existingTalk(db: Database, talkId: string): Talk {
  const talk = getTalk(db, talkId);
  if (!talk) throw new AppError('not_found', `There is no talk "${talkId}".`);
  return talk;
}

/** Answers a CSV file for a spreadsheet to open: the browser saves it as `filename`. */
export function sendCsv(reply: FastifyReply, filename: string, csv: string): FastifyReply {
  return sendDownload(reply, 'text/csv', filename, csv);
}

/** Answers a UTF-8 text file the browser saves as `filename` (plain ASCII) rather than shows. */
export function sendDownload(reply: FastifyReply, contentType: string, filename: string, text: string): FastifyReply {
  return reply.header('content-type', `${contentType}; charset=utf-8`).header('content-disposition', `attachment; filename="${filename}"`).send(text);
}
