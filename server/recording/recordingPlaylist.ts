/**
 * A recording's own playlist, `index.m3u8`, built from the segments in the database with
 * hls-parser: an EVENT playlist (segments only ever added) while recording, a VOD playlist
 * ending in EXT-X-ENDLIST once it has ended. Each new ffmpeg run starts with a DISCONTINUITY.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify, types } from 'hls-parser';
import type { RecordingSegment } from '../storage/recordingSegments.js';
import { RECORDING_PLAYLIST, SEGMENT_SECONDS } from './layout.js';

/** Version 3 lets EXTINF carry decimal durations (hls-parser rounds them below 3). */
const HLS_VERSION = 3;

/** `baseUri` prefixes segment names, for playlists served from elsewhere (talk replays). */
export function recordingPlaylistText(segments: RecordingSegment[], ended: boolean, baseUri = ''): string {
  const playlist = new types.MediaPlaylist({
    version: HLS_VERSION,
    independentSegments: true,
    targetDuration: targetDuration(segments),
    mediaSequenceBase: 0,
    playlistType: ended ? 'VOD' : 'EVENT',
    endlist: ended,
    segments: segments.map(
      (segment, index) =>
        new types.Segment({
          uri: `${baseUri}${segment.file}`,
          duration: segment.durationSeconds,
          mediaSequenceNumber: segment.sequence,
          // Where a lost segment is left out, the media jumps ahead.
          discontinuity: segment.discontinuity || (index > 0 && segments[index - 1]!.sequence !== segment.sequence - 1),
          programDateTime: new Date(segment.programDateTime),
        }),
    ),
  });
  return stringify(playlist);
}

/**
 * Replaces the playlist at once (write a temporary file, then rename over it), so players and
 * the HTTP server never read half of one.
 */
export async function writeRecordingPlaylist(directory: string, segments: RecordingSegment[], ended: boolean): Promise<void> {
  const path = join(directory, RECORDING_PLAYLIST);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, recordingPlaylistText(segments, ended));
  await rename(temporary, path);
}

/** EXT-X-TARGETDURATION: the longest segment, rounded up, as the HLS specification requires. */
function targetDuration(segments: RecordingSegment[]): number {
  const longest = segments.reduce((max, segment) => Math.max(max, segment.durationSeconds), 0);
  return Math.ceil(longest) || SEGMENT_SECONDS;
}
