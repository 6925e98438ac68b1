/**
 * The ffmpeg and ffprobe the tests run themselves, to make media or to check what the server
 * wrote: the ones on PATH (Debian's, which `scripts/setup.mjs --for-tests` installs), as the test
 * servers find theirs (see essentialEnvironment). Never FFMPEG_PATH: a developer's own setting does
 * not change what a test runs. Missing, the tests that need them fail, saying what to do.
 */
import { execFileSync } from 'node:child_process';
import { findOnPath } from '../../server/config/ffmpeg.js';

export const TEST_FFMPEG = toolOnPath('ffmpeg');
export const TEST_FFPROBE = toolOnPath('ffprobe');

function toolOnPath(name: string): string {
  const found = findOnPath(name);
  if (!found) throw new Error(`${name} is not on PATH: install it (apt-get install ffmpeg; scripts/setup.mjs --for-tests does).`);
  return found;
}

/** What ffprobe reads of a file's first video stream. */
export interface VideoStreamInfo {
  codec: string;
  profile: string;
  width: number;
  height: number;
  /** ffprobe's has_b_frames: 0 when the stream has none. */
  bFrames: number;
}

/** The first video stream of a media file, as ffprobe reads it; codec 'none' and 0 × 0 when it finds none. */
export function probeVideoFile(path: string): VideoStreamInfo {
  const probe = JSON.parse(execFileSync(TEST_FFPROBE, ['-v', 'error', '-select_streams', 'v', '-show_streams', '-of', 'json', path], { encoding: 'utf8' })) as {
    streams: { codec_name?: string; profile?: string; width?: number; height?: number; has_b_frames?: number }[];
  };
  const [video] = probe.streams;
  return {
    codec: video?.codec_name ?? 'none',
    profile: video?.profile ?? 'none',
    width: video?.width ?? 0,
    height: video?.height ?? 0,
    bFrames: video?.has_b_frames ?? -1,
  };
}
