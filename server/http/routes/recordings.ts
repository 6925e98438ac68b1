import { createReadStream, rmSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { apiRequestSchemas, type RecordingInfo, recordIdSchema, type ReplayInfo, stageIdSchema } from '../../../shared/protocol.js';
import type { Credentials } from '../../auth/accessPolicy.js';
import { AppError } from '../../errors.js';
import { deleteRecording, getRecording, listRecordings, type Recording } from '../../storage/recordings.js';
import { deleteReplay, getReplay, listReplays, replaySegments, type TalkReplay, updateReplay } from '../../storage/replays.js';
import { resolveFfmpegPath } from '../../config/ffmpeg.js';
import { recordingDirectory } from '../../recording/layout.js';
import { recordingPlaylistText } from '../../recording/recordingPlaylist.js';
import { removeCachedDownloads, ReplayDownloads } from '../../recording/replayDownload.js';
import { getTalk } from '../../storage/talks.js';
import { parseInput } from '../../validation.js';
import { rememberAccessHeader, requireTechnician, viewerCredentialsOf } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { mediaCacheControl, RECORDINGS_PREFIX } from '../recordingFiles.js';

const idParams = z.object({ id: recordIdSchema });
const stageFilter = z.object({ stage: stageIdSchema.optional() });

export function recordingPlaylistUrl(recording: Pick<Recording, 'stageId' | 'id'>): string {
  return `${RECORDINGS_PREFIX}${recording.stageId}/${recording.id}/index.m3u8`;
}

export function replayPlaylistUrl(replay: Pick<TalkReplay, 'id'>): string {
  return `/api/replays/${replay.id}/playlist.m3u8`;
}

export function registerRecordingRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  const technicianOnly = { preHandler: requireTechnician(deps) };
  const downloads = new ReplayDownloads(deps.config.limits.replayDownloads, deps.logger);

  app.get('/api/recordings', async (request): Promise<{ recordings: RecordingInfo[] }> => {
    const { stage } = parseInput(stageFilter, request.query, 'query');
    const mayWatch = watchFilter(deps, viewerCredentialsOf(request));
    return {
      recordings: listRecordings(deps.db, stage)
        .filter((recording) => mayWatch(recording.stageId))
        .map(toRecordingInfo),
    };
  });

  app.get('/api/recordings/:id', async (request, reply): Promise<RecordingInfo> => {
    const recording = visibleRecording(request, deps);
    rememberAccessHeader(deps, request, reply);
    return toRecordingInfo(recording);
  });

  app.delete('/api/recordings/:id', technicianOnly, async (request, reply) => {
    const recording = visibleRecording(request, deps);
    if (recording.status === 'recording') throw new AppError('conflict', 'The recording is still running; stop the stage first.');
    deleteRecording(deps.db, recording.id);
    rmSync(recordingDirectory(deps.config.recordingsDir, recording.stageId, recording.id), { recursive: true, force: true });
    request.log.info({ recording: recording.id, stage: recording.stageId }, 'recording deleted');
    return reply.code(204).send();
  });

  app.get('/api/replays', async (request): Promise<{ replays: ReplayInfo[] }> => {
    const { stage } = parseInput(stageFilter, request.query, 'query');
    const mayWatch = watchFilter(deps, viewerCredentialsOf(request));
    const replays = listReplays(deps.db, stage ? { stageId: stage } : {}).filter((replay) => mayWatch(replay.stageId));
    return { replays: replays.map((replay) => toReplayInfo(deps, replay)) };
  });

  app.get('/api/replays/:id', async (request, reply): Promise<ReplayInfo> => {
    const replay = visibleReplay(request, deps);
    rememberAccessHeader(deps, request, reply);
    return toReplayInfo(deps, replay);
  });

  app.get('/api/replays/:id/playlist.m3u8', async (request, reply) => {
    const replay = visibleReplay(request, deps);
    const segments = replaySegments(deps.db, replay).map((segment, index) => (index === 0 ? { ...segment, discontinuity: false } : segment));
    const base = `${RECORDINGS_PREFIX}${replay.stageId}/${replay.recordingId}/`;
    // In and out points can still be moved, so players revalidate.
    reply
      .header('content-type', 'application/vnd.apple.mpegurl')
      .header('cache-control', mediaCacheControl('revalidate', deps.policy.isPrivateStage(replay.stageId)));
    return recordingPlaylistText(segments, true, base);
  });

  app.get('/api/replays/:id/download', async (request, reply) => {
    const replay = visibleReplay(request, deps);
    const segments = replaySegments(deps.db, replay);
    if (segments.length === 0) throw new AppError('not_found', 'This replay has no recorded segments to download.');
    const ffmpegPath = availableFfmpeg(deps);
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
        ffmpegPath,
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
  });

  app.patch('/api/replays/:id', technicianOnly, async (request): Promise<ReplayInfo> => {
    const replay = visibleReplay(request, deps);
    const changes = parseInput(apiRequestSchemas.replayChanges, request.body, 'replay changes');
    const inAt = changes.inAt ?? replay.inAt;
    const outAt = changes.outAt ?? replay.outAt;
    if (Date.parse(outAt) <= Date.parse(inAt)) throw new AppError('invalid_payload', 'The out point must come after the in point.');
    const recording = getRecording(deps.db, replay.recordingId)!;
    if (Date.parse(inAt) < Date.parse(recording.startedAt) || (recording.endedAt && Date.parse(outAt) > Date.parse(recording.endedAt))) {
      throw new AppError('invalid_payload', `In and out points must lie within the recording (${recording.startedAt} to ${recording.endedAt ?? 'now'}).`);
    }
    return toReplayInfo(deps, updateReplay(deps.db, replay.id, changes)!);
  });

  app.delete('/api/replays/:id', technicianOnly, async (request, reply) => {
    const replay = visibleReplay(request, deps);
    deleteReplay(deps.db, replay.id);
    await removeCachedDownloads(recordingDirectory(deps.config.recordingsDir, replay.stageId, replay.recordingId), replay.id);
    return reply.code(204).send();
  });
}

export function availableFfmpeg(deps: HttpDependencies): string {
  try {
    return resolveFfmpegPath(deps.config.ffmpegPath);
  } catch (error) {
    throw new AppError('unavailable', error instanceof Error ? error.message : 'ffmpeg is not available.');
  }
}

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
export function visibleRecording(request: FastifyRequest, deps: HttpDependencies): Recording {
  const { id } = parseInput(idParams, request.params, 'path');
  const recording = getRecording(deps.db, id);
  if (!recording || !deps.policy.mayWatch(viewerCredentialsOf(request), recording.stageId)) {
    throw new AppError('not_found', `There is no recording ${id}.`);
  }
  return recording;
}

export function visibleReplay(request: FastifyRequest, deps: HttpDependencies): TalkReplay {
  const { id } = parseInput(idParams, request.params, 'path');
  const replay = getReplay(deps.db, id);
  if (!replay || !deps.policy.mayWatch(viewerCredentialsOf(request), replay.stageId)) throw new AppError('not_found', `There is no replay ${id}.`);
  return replay;
}
