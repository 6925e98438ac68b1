import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordingInfo, StagesResponse } from '../../shared/protocol.js';
import type { RunningServer } from './server.js';
import { probeVideoFile, type VideoStreamInfo } from './mediaTools.js';

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

/** The video of a recorded segment (fetched from the server), as ffprobe reads it. */
export async function probeSegmentVideo(url: string): Promise<VideoStreamInfo> {
  const file = join(tmpdir(), `estrad-segment-${process.pid}-${Date.now()}.ts`);
  writeFileSync(file, Buffer.from(await (await fetch(url)).arrayBuffer()));
  try {
    return probeVideoFile(file);
  } finally {
    rmSync(file, { force: true });
  }
}
