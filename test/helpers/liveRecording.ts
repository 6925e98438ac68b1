import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordingInfo, StagesResponse } from '../../shared/protocol.js';
import type { RunningServer } from './server.js';
import { TEST_FFPROBE } from './mediaTools.js';

/** Whether the public stage list shows the stage on air. */
export async function stageOnAir(server: RunningServer, stageId: string): Promise<boolean> {
  const { stages } = (await (await fetch(`${server.url}/api/stages`)).json()) as StagesResponse;
  return stages.find((stage) => stage.id === stageId)?.live ?? false;
}

/** The stage's recording in progress, if any. */
export async function liveRecording(server: RunningServer, stageId: string): Promise<RecordingInfo | undefined> {
  const response = await fetch(`${server.url}/api/recordings?stage=${stageId}`);
  const { recordings } = (await response.json()) as { recordings: RecordingInfo[] };
  return recordings.find((recording) => recording.status === 'recording');
}

/** The segments a recording's playlist lists, as URLs, oldest first. */
export async function segmentUrls(server: RunningServer, recording: RecordingInfo): Promise<string[]> {
  const playlist = await (await fetch(`${server.url}${recording.playlistUrl}`)).text();
  const base = `${server.url}${recording.playlistUrl}`;
  return playlist
    .split('\n')
    .filter((line) => line.endsWith('.ts'))
    .map((line) => new URL(line, base).toString());
}

/** Width and height of the video ffprobe decodes from a segment; 0 × 0 when it finds none. */
export async function probeSegmentVideo(url: string): Promise<{ width: number; height: number }> {
  const file = join(tmpdir(), `estrad-segment-${process.pid}-${Date.now()}.ts`);
  writeFileSync(file, Buffer.from(await (await fetch(url)).arrayBuffer()));
  try {
    const probe = JSON.parse(
      execFileSync(TEST_FFPROBE, ['-v', 'error', '-select_streams', 'v', '-show_streams', '-of', 'json', file], { encoding: 'utf8' }),
    ) as {
      streams: { width?: number; height?: number }[];
    };
    return { width: probe.streams[0]?.width ?? 0, height: probe.streams[0]?.height ?? 0 };
  } finally {
    rmSync(file, { force: true });
  }
}
