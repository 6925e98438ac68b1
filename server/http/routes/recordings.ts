import { createReadStream } from 'node:fs';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  apiRequestSchemas,
  type RecordingInfo,
  recordIdSchema,
  recordingInfoSchema,
  type ReplayInfo,
  replayInfoSchema,
  stageIdSchema,
} from '../../../shared/protocol.js';
import type { Credentials } from '../../auth/accessPolicy.js';
import { AppError } from '../../errors.js';
import { getRecording, listRecordings, type Recording } from '../../storage/recordings.js';
import { deleteReplay, getReplay, listReplays, replaySegments, type TalkReplay, updateReplay } from '../../storage/replays.js';
import { recordingDirectory } from '../../recording/layout.js';
import { recordingPlaylistText } from '../../recording/recordingPlaylist.js';
import { removeCachedDownloads, ReplayDownloads } from '../../recording/replayDownload.js';
import { removeRecording } from '../../recording/retention.js';
import { getTalk } from '../../storage/talks.js';
import { fileAnswer, noContent, withErrors } from '../apiSchemas.js';
import { rememberAccessHeader, viewerCredentialsOf } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { mediaCacheControl, RECORDINGS_PREFIX } from '../recordingFiles.js';
import { technicianRoute } from './routeSupport.js';

const idParams = z.object({ id: recordIdSchema });
const stageFilter = z.object({ stage: stageIdSchema.optional() });

export function recordingPlaylistUrl(recording: Pick<Recording, 'stageId' | 'id'>): string {
  return `${RECORDINGS_PREFIX}${recording.stageId}/${recording.id}/index.m3u8`;
}

export function replayPlaylistUrl(replay: Pick<TalkReplay, 'id'>): string {
  return `/api/replays/${replay.id}/playlist.m3u8`;
}

export const recordingRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const downloads = new ReplayDownloads(deps.config.limits.replayDownloads, deps.logger);
  const recordings = { tags: ['Recordings'] };
  const replays = { tags: ['Replays'] };

  app.get(
    '/api/recordings',
    {
      schema: {
        ...recordings,
        summary: 'Recordings one may watch',
        querystring: stageFilter,
        response: withErrors({ 200: z.object({ recordings: z.array(recordingInfoSchema) }) }),
      },
    },
    async (request) => {
      const mayWatch = watchFilter(deps, viewerCredentialsOf(request));
      return {
        recordings: listRecordings(deps.db, request.query.stage)
          .filter((recording) => mayWatch(recording.stageId))
          .map(toRecordingInfo),
      };
    },
  );

  app.get(
    '/api/recordings/:id',
    { schema: { ...recordings, summary: 'One recording', params: idParams, response: withErrors({ 200: recordingInfoSchema }) } },
    async (request, reply) => {
      const recording = visibleRecording(request.params.id, request, deps);
      rememberAccessHeader(deps, request, reply);
      return toRecordingInfo(recording);
    },
  );

  app.delete(
    '/api/recordings/:id',
    technicianRoute(deps, { ...recordings, summary: 'Delete a recording, its files and replays', params: idParams, response: withErrors({ 204: noContent }) }),
    async (request, reply) => {
      const recording = visibleRecording(request.params.id, request, deps);
      if (recording.status === 'recording') throw new AppError('conflict', 'The recording is still running; stop the stage first.');
      removeRecording(deps.db, deps.config.recordingsDir, recording);
      request.log.info({ recording: recording.id, stage: recording.stageId }, 'recording deleted');
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/replays',
    {
      schema: {
        ...replays,
        summary: 'Replays one may watch',
        querystring: stageFilter,
        response: withErrors({ 200: z.object({ replays: z.array(replayInfoSchema) }) }),
      },
    },
    async (request) => {
      const { stage } = request.query;
      const mayWatch = watchFilter(deps, viewerCredentialsOf(request));
      const found = listReplays(deps.db, stage ? { stageId: stage } : {}).filter((replay) => mayWatch(replay.stageId));
      return { replays: found.map((replay) => toReplayInfo(deps, replay)) };
    },
  );

  app.get(
    '/api/replays/:id',
    { schema: { ...replays, summary: 'One replay', params: idParams, response: withErrors({ 200: replayInfoSchema }) } },
    async (request, reply) => {
      const replay = visibleReplay(request.params.id, request, deps);
      rememberAccessHeader(deps, request, reply);
      return toReplayInfo(deps, replay);
    },
  );

  app.get(
    '/api/replays/:id/playlist.m3u8',
    {
      schema: {
        ...replays,
        summary: 'The replay as an HLS playlist',
        params: idParams,
        response: fileAnswer('application/vnd.apple.mpegurl', 'An HLS VOD playlist'),
      },
    },
    async (request, reply) => {
      const replay = visibleReplay(request.params.id, request, deps);
      const segments = replaySegments(deps.db, replay).map((segment, index) => (index === 0 ? { ...segment, discontinuity: false } : segment));
      const base = `${RECORDINGS_PREFIX}${replay.stageId}/${replay.recordingId}/`;
      // In and out points can still be moved, so players revalidate.
      return reply
        .header('content-type', 'application/vnd.apple.mpegurl')
        .header('cache-control', mediaCacheControl('revalidate', deps.policy.isPrivateStage(replay.stageId)))
        .send(recordingPlaylistText(segments, true, base));
    },
  );

  app.get(
    '/api/replays/:id/download',
    {
      schema: {
        ...replays,
        summary: 'The replay as one MP4 file',
        params: idParams,
        response: fileAnswer('video/mp4', 'An MP4 file, remuxed without re-encoding'),
      },
    },
    async (request, reply) => {
      const replay = visibleReplay(request.params.id, request, deps);
      const segments = replaySegments(deps.db, replay);
      if (segments.length === 0) throw new AppError('not_found', 'This replay has no recorded segments to download.');
      if (deps.ffmpeg.missing) throw new AppError('unavailable', deps.ffmpeg.missing);
      const directory = recordingDirectory(deps.config.recordingsDir, replay.stageId, replay.recordingId);
      const finished = getRecording(deps.db, replay.recordingId)?.status !== 'recording';
      // The response closes early when the client goes away while its MP4 is being made.
      const clientGone = new AbortController();
      reply.raw.once('close', () => clientGone.abort());
      // The connection is silent while ffmpeg works, which can take longer than the idle timeout
      // (HTTP_IDLE_TIMEOUT_SECONDS); a client that leaves is noticed by the close above instead.
      request.raw.socket.setTimeout(0);
      const file = await downloads
        .prepare({
          ffmpegPath: deps.ffmpeg.path,
          directory,
          segments,
          cache: finished ? { replayId: replay.id, inAt: replay.inAt, outAt: replay.outAt } : undefined,
          signal: clientGone.signal,
        })
        .catch((error: unknown) => {
          if (error instanceof AppError) throw error;
          request.log.error({ err: error, replay: replay.id }, 'replay download failed');
          throw new AppError('unavailable', 'The replay could not be prepared for download; try again later.');
        });
      const stream = createReadStream(file.path);
      stream.on('close', () => void file.dispose());
      const filename = `${replay.title.replace(/[^\p{L}\p{N} ._-]/gu, '').trim() || 'replay'}.mp4`;
      if (deps.policy.isPrivateStage(replay.stageId)) reply.header('cache-control', 'private, no-store');
      return reply
        .header('content-type', 'video/mp4')
        .header('content-disposition', `attachment; filename="replay.mp4"; filename*=UTF-8''${encodeURIComponent(filename)}`)
        .send(stream);
    },
  );

  app.patch(
    '/api/replays/:id',
    technicianRoute(deps, {
      ...replays,
      summary: 'Retitle a replay or move its in and out points',
      params: idParams,
      body: apiRequestSchemas.replayChanges,
      response: withErrors({ 200: replayInfoSchema }),
    }),
    async (request) => {
      const replay = visibleReplay(request.params.id, request, deps);
      const changes = request.body;
      const inAt = changes.inAt ?? replay.inAt;
      const outAt = changes.outAt ?? replay.outAt;
      if (Date.parse(outAt) <= Date.parse(inAt)) throw new AppError('invalid_payload', 'The out point must come after the in point.');
      const recording = getRecording(deps.db, replay.recordingId)!;
      if (Date.parse(inAt) < Date.parse(recording.startedAt) || (recording.endedAt && Date.parse(outAt) > Date.parse(recording.endedAt))) {
        throw new AppError('invalid_payload', `In and out points must lie within the recording (${recording.startedAt} to ${recording.endedAt ?? 'now'}).`);
      }
      return toReplayInfo(deps, updateReplay(deps.db, replay.id, changes)!);
    },
  );

  app.delete(
    '/api/replays/:id',
    technicianRoute(deps, { ...replays, summary: 'Delete a replay (not its recording)', params: idParams, response: withErrors({ 204: noContent }) }),
    async (request, reply) => {
      const replay = visibleReplay(request.params.id, request, deps);
      deleteReplay(deps.db, replay.id);
      await removeCachedDownloads(recordingDirectory(deps.config.recordingsDir, replay.stageId, replay.recordingId), replay.id);
      return reply.code(204).send();
    },
  );
};

function toRecordingInfo(recording: Recording): RecordingInfo {
  const { stageId, ...rest } = recording;
  return { ...rest, stage: stageId, playlistUrl: recordingPlaylistUrl(recording) };
}

export function toReplayInfo(deps: HttpDependencies, replay: TalkReplay): ReplayInfo {
  const speakers = getTalk(deps.db, replay.talkId)?.speakers.map(({ name, organisation }) => ({ name, organisation })) ?? [];
  const { stageId, ...rest } = replay;
  return {
    ...rest,
    stage: stageId,
    speakers,
    durationSeconds: (Date.parse(replay.outAt) - Date.parse(replay.inAt)) / 1000,
    playlistUrl: replayPlaylistUrl(replay),
    downloadUrl: `/api/replays/${replay.id}/download`,
    posterUrl: `/api/replays/${replay.id}/poster.jpg`,
  };
}

/** Whether these credentials may watch a stage, remembered per stage for one listing. */
export function watchFilter(deps: HttpDependencies, credentials: Credentials): (stageId: string) => boolean {
  const decided = new Map<string, boolean>();
  return (stageId) => {
    if (!decided.has(stageId)) decided.set(stageId, deps.policy.mayWatch(credentials, stageId));
    return decided.get(stageId)!;
  };
}

/** The recording named in the path, when it exists and the requester may watch its stage. */
export function visibleRecording(id: string, request: FastifyRequest, deps: HttpDependencies): Recording {
  const recording = getRecording(deps.db, id);
  if (!recording || !deps.policy.mayWatch(viewerCredentialsOf(request), recording.stageId)) {
    throw new AppError('not_found', `There is no recording ${id}.`);
  }
  return recording;
}

export function visibleReplay(id: string, request: FastifyRequest, deps: HttpDependencies): TalkReplay {
  const replay = getReplay(deps.db, id);
  if (!replay || !deps.policy.mayWatch(viewerCredentialsOf(request), replay.stageId)) throw new AppError('not_found', `There is no replay ${id}.`);
  return replay;
}
