import { describe, expect, it } from 'vitest';
import { parse } from 'hls-parser';
import { recordingPlaylistText } from '../../server/recording/recordingPlaylist.js';
import type { RecordingSegment } from '../../server/storage/recordingSegments.js';

function segment(sequence: number, file: string, durationSeconds: number, programDateTime: string, discontinuity = false): RecordingSegment {
  return { recordingId: 'rec', sequence, file, durationSeconds, programDateTime, discontinuity, sizeBytes: 1000 };
}

const segments = [
  segment(0, 'r001-00000.ts', 2.002, '2026-05-20T07:00:00.000Z'),
  segment(1, 'r001-00001.ts', 2.5, '2026-05-20T07:00:02.002Z'),
  segment(2, 'r002-00000.ts', 1.96, '2026-05-20T07:00:06.000Z', true),
];

describe("a recording's own playlist", () => {
  it('is an open EVENT playlist while recording', () => {
    const text = recordingPlaylistText(segments, false);
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(text).not.toContain('#EXT-X-ENDLIST');
  });

  it('is a closed VOD playlist with discontinuities, times and exact durations once ended', () => {
    const text = recordingPlaylistText(segments, true);
    expect(text.trim().split('\n').at(-1)).toBe('#EXT-X-ENDLIST');
    const playlist = parse(text);
    if (playlist.isMasterPlaylist) throw new Error('not a media playlist');
    expect(playlist.playlistType).toBe('VOD');
    expect(playlist.targetDuration).toBe(3);
    expect(playlist.segments.map((s) => [s.uri, s.duration, s.discontinuity ?? false, s.programDateTime?.toISOString()])).toEqual([
      ['r001-00000.ts', 2.002, false, '2026-05-20T07:00:00.000Z'],
      ['r001-00001.ts', 2.5, false, '2026-05-20T07:00:02.002Z'],
      ['r002-00000.ts', 1.96, true, '2026-05-20T07:00:06.000Z'],
    ]);
  });

  it('is valid with no segment yet', () => {
    const playlist = parse(recordingPlaylistText([], true));
    expect(playlist.isMasterPlaylist).toBe(false);
  });
});
