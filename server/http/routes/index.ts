import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../httpServer.js';
import { alertRoutes } from './alerts.js';
import { archiveRoutes } from './archive.js';
import { authRoutes } from './auth.js';
import { captionRoutes } from './captions.js';
import { chapterRoutes } from './chapters.js';
import { encoderSettingsRoutes } from './encoderSettings.js';
import { chatRoutes } from './chat.js';
import { eventRoutes } from './events.js';
import { inviteRoutes } from './invites.js';
import { onAirRoutes } from './onAir.js';
import { pollRoutes } from './polls.js';
import { posterRoutes } from './posters.js';
import { questionRoutes } from './questions.js';
import { recordingControlRoutes } from './recordingControl.js';
import { recordingRoutes } from './recordings.js';
import { registrationRoutes } from './registrations.js';
import { stageRoutes } from './stages.js';
import { talkRoutes } from './talks.js';
import { technicianRoutes } from './technicians.js';

/** Every /api route, each concern a plugin of its own (/metrics and the ingest points' live routes are with the live media routes). */
export async function registerApiRoutes(app: FastifyInstance, deps: HttpDependencies): Promise<void> {
  for (const routes of [
    authRoutes,
    technicianRoutes,
    recordingRoutes,
    archiveRoutes,
    chapterRoutes,
    captionRoutes,
    posterRoutes,
    eventRoutes,
    stageRoutes,
    encoderSettingsRoutes,
    talkRoutes,
    onAirRoutes,
    recordingControlRoutes,
    registrationRoutes,
    inviteRoutes,
    questionRoutes,
    pollRoutes,
    alertRoutes,
    chatRoutes,
  ]) {
    await app.register(routes, deps);
  }
}
