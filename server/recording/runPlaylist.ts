/** Reading what one ffmpeg run says it wrote: its own HLS playlist, parsed with hls-parser. */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'hls-parser';

export interface ListedSegment {
  /** File name, relative to the recording's folder. */
  file: string;
  durationSeconds: number;
  /** When the segment's first frame was captured, from EXT-X-PROGRAM-DATE-TIME. */
  programDateTime: Date | undefined;
}

/**
 * Which version of a run's playlist is on disk (ffmpeg renames each new one into place), so a
 * poll can skip reading and parsing a playlist that has not changed since the last read.
 * Undefined while there is none.
 */
export async function runPlaylistVersion(path: string): Promise<string | undefined> {
  const found = await stat(path).catch(() => undefined);
  return found && `${path}:${found.mtimeMs}:${found.size}`;
}

/**
 * The segments a run's playlist lists, in order; empty when there is no playlist yet. ffmpeg
 * replaces its playlist by renaming a finished temporary file, so a read never sees half of one.
 * Empty segments (ffmpeg lists a 0-second one when its input ended before any media) are left out.
 */
export async function readRunPlaylist(path: string): Promise<ListedSegment[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // Only a run whose ffmpeg was killed mid-write leaves a partial file (ffmpeg renames finished
  // ones into place); it lists nothing usable, and hls-parser would complain on stderr.
  if (!text.startsWith('#EXTM3U')) return [];
  const playlist = parse(text);
  if (playlist.isMasterPlaylist) throw new Error(`${path} is a master playlist, not a run's media playlist`);
  return playlist.segments
    .filter((segment) => segment.duration > 0)
    .map((segment) => ({ file: basename(segment.uri), durationSeconds: segment.duration, programDateTime: segment.programDateTime }));
}

/**
 * The run's segments dated from when its media began. ffmpeg dates its first segment when it
 * starts writing, after probing its input (about a second), though that segment holds the media
 * received meanwhile: its PROGRAM-DATE-TIMEs are that much late, and a new run looked as if it
 * started a second after the media did. `listed` starts with the run's first segment (ffmpeg
 * keeps them all listed, -hls_list_size 0); durations are ffmpeg's.
 */
export function datedFromMediaStart(listed: ListedSegment[], mediaStartedAtMs: number | undefined): ListedSegment[] {
  const first = listed[0]?.programDateTime;
  if (mediaStartedAtMs === undefined || !first) return listed;
  const lateByMs = first.getTime() - mediaStartedAtMs;
  return listed.map((segment) => ({
    ...segment,
    programDateTime: segment.programDateTime && new Date(segment.programDateTime.getTime() - lateByMs),
  }));
}
