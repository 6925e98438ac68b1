/**
 * Where a recording lives on disk: `<recordingsDir>/<stageId>/<recordingId>/` holds `index.m3u8`
 * (the recording's own playlist, rebuilt from the database) and, per ffmpeg run, `rNNN.m3u8`
 * (that run's playlist, ffmpeg's account of what it wrote), `rNNN.sdp` while it runs, and the
 * segments `rNNN-SSSSS.ts`. Run numbers make every segment name unique within the recording.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export { SEGMENT_SECONDS } from '../../shared/recordingSegments.js';

export const RECORDING_PLAYLIST = 'index.m3u8';

const RUN_PLAYLIST = /^r(\d{3,})\.m3u8$/;

/** Where a stage's recordings go, each in a folder of its own. */
export function stageDirectory(recordingsDir: string, stageId: string): string {
  return join(recordingsDir, stageId);
}

export function recordingDirectory(recordingsDir: string, stageId: string, recordingId: string): string {
  return join(stageDirectory(recordingsDir, stageId), recordingId);
}

export interface RunFiles {
  number: number;
  playlist: string;
  sdp: string;
  /** ffmpeg's -hls_segment_filename pattern. */
  segmentPattern: string;
}

export function runFiles(directory: string, number: number): RunFiles {
  const name = `r${String(number).padStart(3, '0')}`;
  return {
    number,
    playlist: join(directory, `${name}.m3u8`),
    sdp: join(directory, `${name}.sdp`),
    segmentPattern: join(directory, `${name}-%05d.ts`),
  };
}

/** The runs whose playlists are in a recording's folder, oldest first; none when it is missing. */
export function listRuns(directory: string): RunFiles[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  return names
    .map((name) => RUN_PLAYLIST.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => runFiles(directory, Number(match[1])))
    .sort((a, b) => a.number - b.number);
}
