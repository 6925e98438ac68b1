import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isStageId, RECORD_ID_PATTERN } from '../../shared/ids.js';
import { AppError } from '../errors.js';
import { getRecording } from '../storage/recordings.js';
import { viewerCredentialsOf } from './guards.js';
import type { HttpDependencies } from './httpServer.js';

export const RECORDINGS_PREFIX = '/recordings/';

/** Of a recording's files, only its playlist and segments are served; the recorder's SDP files and run playlists are not. */
const SERVABLE_FILE = /^(?:index\.m3u8|[A-Za-z0-9_-]+\.ts)$/;
const PLAYLIST_FILE = 'index.m3u8';

/** `/<stage>/<recording>/<file>`, each part by its own rule. */
function isServable(path: string): boolean {
  const [root, stageId, recordingId, file, ...rest] = path.split('/');
  return root === '' && rest.length === 0 && isStageId(stageId ?? '') && RECORD_ID_PATTERN.test(recordingId ?? '') && SERVABLE_FILE.test(file ?? '');
}
/**
 * How long recorded media may be kept, and by whom. Files that never change are kept for good;
 * files that still change are revalidated. A public event's files may sit in shared caches (a
 * CDN); a private event's only in the viewer's own browser: a shared cache would hand them to
 * anyone who asked for the same URL, without the access check.
 */
export function mediaCacheControl(lifetime: 'immutable' | 'revalidate', isPrivate: boolean): string {
  const scope = isPrivate ? 'private' : 'public';
  return lifetime === 'immutable' ? `${scope}, max-age=31536000, immutable` : `${scope}, no-cache`;
}

/**
 * HLS under /recordings/<stage>/<recording>/: segments never change once written; a playlist
 * changes until the recording ends, so it is revalidated while recording and immutable after.
 * Who may watch the stage may fetch its files.
 */
export async function registerRecordingFiles(app: FastifyInstance, deps: HttpDependencies): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => authorizeRecordingRequest(request, deps));
    await scope.register(fastifyStatic, {
      root: deps.config.recordingsDir,
      prefix: RECORDINGS_PREFIX,
      decorateReply: false,
      index: false,
      dotfiles: 'deny',
      // Ours, set per file in setHeaders; the plugin's own would override them.
      cacheControl: false,
      allowedPath: isServable,
      setHeaders: (response, path) => setHlsHeaders(response, path, deps),
    });
  });
}

/**
 * Files of stages the requester may not watch (or that do not exist) answer like missing files.
 * A player reloading the playlist of a recording in progress is watching the stage's live HLS.
 */
function authorizeRecordingRequest(request: FastifyRequest, deps: HttpDependencies): void {
  const [stageId = '', recordingId = '', file] = new URL(request.url, 'http://local').pathname.slice(RECORDINGS_PREFIX.length).split('/');
  if (!deps.policy.mayWatch(viewerCredentialsOf(request), stageId)) throw new AppError('not_found', `Nothing at ${request.url}.`);
  if (file === PLAYLIST_FILE && getRecording(deps.db, recordingId)?.status === 'recording') {
    deps.hlsAudience.noteLivePlaylistFetch(stageId, `${request.ip} ${request.headers['user-agent'] ?? ''}`);
  }
}

function setHlsHeaders(response: { setHeader(name: string, value: string): unknown }, path: string, deps: HttpDependencies): void {
  const [stageId = '', recordingId = ''] = path.split(/[\\/]/).slice(-3, -1);
  const isPrivate = deps.policy.isPrivateStage(stageId);
  if (path.endsWith('.ts')) {
    response.setHeader('content-type', 'video/mp2t');
    response.setHeader('cache-control', mediaCacheControl('immutable', isPrivate));
    return;
  }
  response.setHeader('content-type', 'application/vnd.apple.mpegurl');
  const finished = getRecording(deps.db, recordingId)?.status !== 'recording';
  response.setHeader('cache-control', mediaCacheControl(finished ? 'immutable' : 'revalidate', isPrivate));
}
