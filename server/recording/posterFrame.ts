/**
 * Poster frames: one JPEG per replay, taken by ffmpeg from the recorded segment a few seconds into
 * the replay, and kept beside the recording (`posters/`), so it goes when the recording is deleted.
 * Made on the first request, not when the replay is cut: most replays are never listed before they
 * are edited, and a recording's segments are all there once it has ended.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import type { RecordingSegment } from '../storage/recordingSegments.js';
import { FfmpegProcess } from './ffmpegProcess.js';

export interface PosterRequest {
  ffmpegPath: string;
  /** The recording's folder, where its segments are. */
  directory: string;
  replayId: string;
  /** The replay's segments, in order. */
  segments: RecordingSegment[];
}

const POSTER_FOLDER = 'posters';
/** Past the first seconds, which often show an empty stage or a title being set up. */
const POSTER_AT_SECONDS = 5;
const POSTER_WIDTH = 640;
/** Posters made at once: an archive page asks for all of its posters together. */
const CONCURRENCY = 2;
/** Frames ffmpeg could not take (a segment lost or damaged) are not tried again on every listing. */
const MAX_REMEMBERED_FAILURES = 1000;

export class PosterFrames {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly inFlight = new Map<string, Promise<string | undefined>>();
  private readonly failed = new Set<string>();

  constructor(private readonly logger: Logger) {}

  /** The poster's file, made now when it is not there yet; undefined when the recording has no frame to give. */
  async posterOf(request: PosterRequest): Promise<string | undefined> {
    const frame = frameToTake(request.segments);
    if (!frame) return undefined;
    const path = join(request.directory, POSTER_FOLDER, `${request.replayId}-${frameKey(frame)}.jpg`);
    if (this.failed.has(path)) return undefined;
    if (existsSync(path)) return path;
    let making = this.inFlight.get(path);
    if (!making) {
      making = this.make(request, frame, path).finally(() => this.inFlight.delete(path));
      this.inFlight.set(path, making);
    }
    return making;
  }

  private async make(request: PosterRequest, frame: Frame, path: string): Promise<string | undefined> {
    await this.slot();
    try {
      await mkdir(join(request.directory, POSTER_FOLDER), { recursive: true });
      const partial = `${path}.partial.jpg`;
      const ffmpeg = FfmpegProcess.start(
        request.ffmpegPath,
        {
          input: join(request.directory, frame.segment.file),
          inputOptions: ['-ss', frame.offsetSeconds.toFixed(3)],
          output: partial,
          outputOptions: ['-frames:v', '1', '-an', '-vf', `scale=${POSTER_WIDTH}:-2`, '-q:v', '4', '-f', 'image2'],
        },
        this.logger,
      );
      const exit = await ffmpeg.exited;
      if (exit.error || !existsSync(partial)) {
        this.rememberFailure(path);
        await rm(partial, { force: true });
        this.logger.warn({ replay: request.replayId, segment: frame.segment.file, reason: exit.error }, 'no poster frame for the replay');
        return undefined;
      }
      await removePosters(request.directory, request.replayId, basename(partial));
      await rename(partial, path);
      return path;
    } finally {
      this.release();
    }
  }

  private rememberFailure(path: string): void {
    if (this.failed.size >= MAX_REMEMBERED_FAILURES) this.failed.clear();
    this.failed.add(path);
  }

  private async slot(): Promise<void> {
    if (this.running >= CONCURRENCY) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}

interface Frame {
  segment: RecordingSegment;
  offsetSeconds: number;
}

/** The segment and point in it POSTER_AT_SECONDS into the replay, or its middle when it is shorter. */
function frameToTake(segments: RecordingSegment[]): Frame | undefined {
  const total = segments.reduce((sum, segment) => sum + segment.durationSeconds, 0);
  let remaining = Math.min(POSTER_AT_SECONDS, total / 2);
  for (const segment of segments) {
    if (remaining < segment.durationSeconds) return { segment, offsetSeconds: remaining };
    remaining -= segment.durationSeconds;
  }
  return undefined;
}

/** Changes when the in point moves the frame to another place. */
function frameKey(frame: Frame): string {
  return createHash('sha256').update(`${frame.segment.file}\n${frame.offsetSeconds}`).digest('hex').slice(0, 16);
}

/** Forgets a replay's posters of earlier cuts, all but the one just made. */
async function removePosters(recordingDirectory: string, replayId: string, keep: string): Promise<void> {
  const folder = join(recordingDirectory, POSTER_FOLDER);
  const names = await readdir(folder).catch(() => [] as string[]);
  const stale = names.filter((name) => name.startsWith(`${replayId}-`) && name !== keep);
  await Promise.all(stale.map((name) => rm(join(folder, name), { force: true })));
}
