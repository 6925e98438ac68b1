import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { RecordingSegment } from '../storage/recordingSegments.js';
import { FfmpegProcess } from './ffmpegProcess.js';

export interface ReplayFile {
  path: string;
  /** Removes the file once it has been sent, unless it is the cached copy. */
  dispose(): Promise<void>;
}

export interface ReplayDownload {
  ffmpegPath: string;
  /** The recording's folder, where its segments are. */
  directory: string;
  segments: RecordingSegment[];
  /** Set for a finished recording: the MP4 is kept for the next download of the same cut. */
  cache: { replayId: string; inAt: string; outAt: string } | undefined;
  /** Aborted when the client goes away: its remux is stopped and its files removed. */
  signal: AbortSignal;
}

/** Downloads refused for lack of a remux slot are told to come back after about one remux. */
const RETRY_AFTER_SECONDS = 30;
const CACHE_FOLDER = 'downloads';

/**
 * Replay MP4s, remuxed from the recording's segments without re-encoding (ffmpeg's concat
 * demuxer, stream copy; ADTS AAC repackaged for MP4; faststart puts the index first). A remux of
 * a long talk takes minutes and hundreds of MB of temporary space, so only `concurrency` run at
 * once (more are refused with Retry-After), one stops when its client goes away, and a finished
 * one is kept beside the recording so the next download of the same in/out points is a file read.
 */
export class ReplayDownloads {
  private running = 0;

  constructor(
    private readonly concurrency: number,
    private readonly logger: Logger,
  ) {}

  async prepare(download: ReplayDownload): Promise<ReplayFile> {
    const cached = download.cache && cachePath(download.directory, download.cache.replayId, cutKey(download));
    if (cached && existsSync(cached)) return { path: cached, dispose: async () => undefined };
    if (this.running >= this.concurrency) {
      throw new AppError('unavailable', 'Other replays are being prepared for download right now; try again in a minute.', RETRY_AFTER_SECONDS);
    }
    this.running++;
    try {
      const file = await this.remux(download);
      if (!cached || !download.cache) return file;
      await keepInCache(file.path, download.directory, cached, download.cache.replayId);
      await file.dispose();
      return { path: cached, dispose: async () => undefined };
    } finally {
      this.running--;
    }
  }

  private async remux({ ffmpegPath, directory, segments, signal }: ReplayDownload): Promise<ReplayFile> {
    const workDir = await mkdtemp(join(tmpdir(), 'estrad-replay-'));
    const dispose = () => rm(workDir, { recursive: true, force: true });
    const list = join(workDir, 'segments.txt');
    const output = join(workDir, 'replay.mp4');
    // The concat list's own quoting: names are ours ([A-Za-z0-9._-]), the folder may contain anything.
    await writeFile(list, segments.map((segment) => `file '${join(directory, segment.file).replaceAll("'", "'\\''")}'`).join('\n'));
    // Gone while the list was written: the abort listener below would never hear of it.
    if (signal.aborted) return this.abandoned(dispose, segments.length, 'remux stopped before it began');
    const ffmpeg = FfmpegProcess.start(
      ffmpegPath,
      {
        input: list,
        inputOptions: ['-f', 'concat', '-safe', '0'],
        output,
        outputOptions: ['-map', '0', '-c', 'copy', '-bsf:a', 'aac_adtstoasc', '-movflags', '+faststart', '-f', 'mp4'],
      },
      this.logger,
    );
    const stop = () => void ffmpeg.stop(0);
    signal.addEventListener('abort', stop, { once: true });
    const exit = await ffmpeg.exited.finally(() => signal.removeEventListener('abort', stop));
    if (signal.aborted) return this.abandoned(dispose, segments.length, 'remux stopped');
    if (exit.error) {
      await dispose();
      throw new Error(`ffmpeg could not remux the replay: ${exit.error}`);
    }
    return { path: output, dispose };
  }

  /** The client went away: its work folder goes, and the download ends as cancelled. */
  private async abandoned(dispose: () => Promise<void>, segments: number, what: string): Promise<never> {
    await dispose();
    this.logger.info({ segments }, `replay download abandoned by its client; ${what}`);
    throw new AppError('unavailable', 'The download was cancelled.');
  }
}

/** What the MP4 is made of: changes with the in and out points, and with the segments they cover. */
function cutKey({ cache, segments }: ReplayDownload): string {
  const cut = [cache?.inAt, cache?.outAt, ...segments.map((segment) => segment.file)].join('\n');
  return createHash('sha256').update(cut).digest('hex').slice(0, 16);
}

/** Cached MP4s live in the recording's folder, so they go when the recording is deleted. */
function cacheFolder(recordingDirectory: string): string {
  return join(recordingDirectory, CACHE_FOLDER);
}

function cachePath(recordingDirectory: string, replayId: string, key: string): string {
  return join(cacheFolder(recordingDirectory), `${replayId}-${key}.mp4`);
}

/** Moves a finished MP4 into the cache and drops the replay's copies of earlier cuts. */
async function keepInCache(file: string, recordingDirectory: string, cached: string, replayId: string): Promise<void> {
  await mkdir(cacheFolder(recordingDirectory), { recursive: true });
  await removeCachedDownloads(recordingDirectory, replayId);
  // A rename within one file system; the temporary folder may be on another, then a copy.
  await rename(file, cached).catch(async () => {
    await copyFile(file, `${cached}.partial`);
    await rename(`${cached}.partial`, cached);
  });
}

/** Forgets the cached MP4s of one replay (its cut changed, or it was deleted). */
export async function removeCachedDownloads(recordingDirectory: string, replayId: string): Promise<void> {
  const folder = cacheFolder(recordingDirectory);
  const names = await readdir(folder).catch(() => [] as string[]);
  await Promise.all(names.filter((name) => name.startsWith(`${replayId}-`)).map((name) => rm(join(folder, name), { force: true })));
}
