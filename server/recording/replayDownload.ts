import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RecordingSegment } from '../storage/recordingSegments.js';
import { FfmpegProcess } from './ffmpegProcess.js';

export interface RemuxedFile {
  path: string;
  /** Removes the file once it has been sent. */
  dispose(): Promise<void>;
}

/**
 * One MP4 of a run of segments, remuxed without re-encoding (ffmpeg's concat demuxer, stream
 * copy; ADTS AAC repackaged for MP4). Faststart puts the index first, so players start at once.
 */
export async function remuxToMp4(ffmpegPath: string, directory: string, segments: RecordingSegment[], logger: Logger): Promise<RemuxedFile> {
  const workDir = await mkdtemp(join(tmpdir(), 'estrad-replay-'));
  const dispose = () => rm(workDir, { recursive: true, force: true });
  const list = join(workDir, 'segments.txt');
  const output = join(workDir, 'replay.mp4');
  // The concat list's own quoting: names are ours ([A-Za-z0-9._-]), the folder may contain anything.
  await writeFile(list, segments.map((segment) => `file '${join(directory, segment.file).replaceAll("'", "'\\''")}'`).join('\n'));
  const exit = await FfmpegProcess.start(
    ffmpegPath,
    {
      input: list,
      inputOptions: ['-f', 'concat', '-safe', '0'],
      output,
      outputOptions: ['-map', '0', '-c', 'copy', '-bsf:a', 'aac_adtstoasc', '-movflags', '+faststart', '-f', 'mp4'],
    },
    logger,
  ).exited;
  if (exit.error) {
    await dispose();
    throw new Error(`ffmpeg could not remux the replay: ${exit.error}`);
  }
  return { path: output, dispose };
}
