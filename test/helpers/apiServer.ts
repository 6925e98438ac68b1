/**
 * The HTTP API in the test's own process, called through Fastify's inject: a real SQLite in a
 * temporary folder, the real routes, access rules and error handling; no mediasoup worker, no
 * socket, no build. For the fast project's test/http.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { StageOnAir } from '../../shared/programmeControl.js';
import type { Alert } from '../../shared/health.js';
import type { AttendeeQuestions, ModeratorQuestionBoard, PollBoard as PollBoardView, PublicQuestionBoard } from '../../shared/questions.js';
import type { ChatBoard, ModeratorChatBoard } from '../../shared/chat.js';
import { ChatRoom } from '../../server/audience/chatRoom.js';
import { PollBoard } from '../../server/audience/pollBoard.js';
import { QuestionBoard } from '../../server/audience/questionBoard.js';
import { TalkOnAirDesk } from '../../server/audience/talkOnAir.js';
import { IngestKeys } from '../../server/auth/ingestKeys.js';
import { AccessPolicy } from '../../server/auth/accessPolicy.js';
import { ViewerPasses } from '../../server/auth/viewerPasses.js';
import { loadConfig } from '../../server/config/env.js';
import { Ffmpeg } from '../../server/config/ffmpeg.js';
import { AlertCenter } from '../../server/health/alertCenter.js';
import { HlsAudience } from '../../server/health/hlsAudience.js';
import { WebhookDispatcher } from '../../server/health/webhookDispatcher.js';
import { buildApiServer } from '../../server/http/httpServer.js';
import { RecordingControl } from '../../server/recording/recordingControl.js';
import { openDatabase, type Database } from '../../server/storage/database.js';
import { createTechnician } from '../../server/storage/technicians.js';
import { type Answer, answerOf, type Caller } from '../integration/api-fixtures.js';
import { TECHNICIAN_ENV } from './technician.js';

export interface ApiServer {
  app: FastifyInstance;
  db: Database;
  dataDir: string;
  /** What the question and poll boards and the chat pushed, in order: there are no sockets here to carry it. */
  questionPushes: QuestionPush[];
  /** What the on-air desk pushed to the stages' pages, in order. */
  onAirPushes: StageOnAir[];
  recordingControl: RecordingControl;
  /** What the alert center pushed to control rooms, in order. */
  alertPushes: Alert[];
  alerts: AlertCenter;
  recordingsDir: string;
  close(): Promise<void>;
}

export type QuestionPush =
  | { to: 'attendees'; stageId: string; board: PublicQuestionBoard }
  | { to: 'moderators'; stageId: string; board: ModeratorQuestionBoard }
  | { to: 'attendee'; stageId: string; voterKey: string; mine: AttendeeQuestions }
  | { to: 'polls'; stageId: string; board: PollBoardView }
  | { to: 'chat'; stageId: string; board: ChatBoard }
  | { to: 'chat moderators'; stageId: string; board: ModeratorChatBoard };

/** `env` as the server would read it; ADMIN_USERNAME/ADMIN_PASSWORD create that technician. */
export async function startApiServer(env: Record<string, string> = {}, observe?: Parameters<typeof buildApiServer>[1]): Promise<ApiServer> {
  const base = mkdtempSync(join(tmpdir(), 'estrad-api-'));
  const config = loadConfig({ DEMO: '0', ...env, DATA_DIR: join(base, 'data'), RECORDINGS_DIR: join(base, 'recordings') });
  mkdirSync(config.dataDir, { recursive: true });
  const db = openDatabase(config.dataDir);
  if (config.admin) await createTechnician(db, config.admin.username, config.admin.password);
  const passes = ViewerPasses.fromDataDir(config.dataDir);
  // The pages are not what these tests are about: an empty folder stands in for the built client.
  const clientDir = join(base, 'client');
  mkdirSync(clientDir);
  const questionPushes: QuestionPush[] = [];
  const questions = new QuestionBoard({
    db,
    notifier: {
      toAttendees: (stageId, board) => questionPushes.push({ to: 'attendees', stageId, board }),
      toModerators: (stageId, board) => questionPushes.push({ to: 'moderators', stageId, board }),
      toAttendee: (stageId, voterKey, mine) => questionPushes.push({ to: 'attendee', stageId, voterKey, mine }),
    },
    maxGroupSize: config.questions.maxGroupSize,
    asksPerMinute: config.rateLimitsPerMinute.question,
    pushDelayMs: 0,
  });
  const polls = new PollBoard({ db, notifier: { toStage: (stageId, board) => questionPushes.push({ to: 'polls', stageId, board }) }, pushDelayMs: 0 });
  const onAirPushes: StageOnAir[] = [];
  const logger = pino({ level: 'silent' });
  const onAir = new TalkOnAirDesk({ db, notifier: { toStage: (_stageId, state) => onAirPushes.push(state) }, logger });
  const recordingControl = new RecordingControl({ db, recordingsDir: config.recordingsDir });
  const alertPushes: Alert[] = [];
  const webhooks = new WebhookDispatcher({ db, logger });
  const alerts = new AlertCenter({ db, notifier: { alertChanged: (alert) => alertPushes.push(alert) }, webhooks, logger });
  const chat = new ChatRoom({
    db,
    notifier: {
      toStage: (stageId, board) => questionPushes.push({ to: 'chat', stageId, board }),
      toModerators: (stageId, board) => questionPushes.push({ to: 'chat moderators', stageId, board }),
    },
    messagesPerMinute: config.rateLimitsPerMinute.chat,
    pushDelayMs: 0,
  });
  const app = await buildApiServer(
    {
      config,
      ffmpeg: Ffmpeg.find(config.ffmpegPath),
      db,
      questions,
      polls,
      onAir,
      recordingControl,
      chat,
      policy: new AccessPolicy(db, passes, IngestKeys.fromDataDir(config.dataDir)),
      passes,
      logger,
      version: 'test',
      clientDir,
      alerts,
      hlsAudience: new HlsAudience(),
    },
    observe,
  );
  await app.ready();
  return {
    app,
    db,
    dataDir: config.dataDir,
    questionPushes,
    onAirPushes,
    recordingControl,
    alertPushes,
    alerts,
    recordingsDir: config.recordingsDir,
    async close() {
      webhooks.close();
      questions.close();
      polls.close();
      chat.close();
      await app.close();
      db.close();
    },
  };
}

/** The same caller as api-fixtures' apiCaller, through inject instead of a socket. */
export function injectCaller(api: ApiServer, defaultHeaders: Record<string, string> = {}): Caller {
  return async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const response = await api.app.inject({
      method: method as 'GET',
      url: path,
      headers: { ...defaultHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const answerHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined) answerHeaders.append(name, String(item));
    }
    return answerOf<T>(response.statusCode, answerHeaders, response.rawPayload);
  };
}

/** The session cookie of the technician from TECHNICIAN_ENV. */
export async function technicianCookie(api: ApiServer): Promise<string> {
  const login = await injectCaller(api)('POST', '/api/auth/login', {
    username: TECHNICIAN_ENV.ADMIN_USERNAME,
    password: TECHNICIAN_ENV.ADMIN_PASSWORD,
  });
  const cookie = login.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');
  if (login.status !== 200 || !cookie) throw new Error(`technician sign-in failed: ${login.status} ${login.text}`);
  return cookie;
}
