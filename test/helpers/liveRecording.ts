import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordingInfo, StagesResponse } from '../../shared/protocol.js';
import type { RunningServer } from './server.js';
import { probeVideoFile, TEST_FFPROBE, type VideoStreamInfo } from './mediaTools.js';

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
  return withDownloadedSegment(url, probeVideoFile);
}

/**
 * How many seconds of media a segment holds by its own timestamps: from its earliest packet to
 * the end of the stream that ends first (a segment cut short lacks the end of its picture or sound).
 */
export async function probeSegmentMediaSeconds(url: string): Promise<number> {
  const probe = await withDownloadedSegment(
    url,
    (file) =>
      JSON.parse(
        execFileSync(TEST_FFPROBE, ['-v', 'error', '-show_entries', 'packet=stream_index,pts_time,duration_time', '-of', 'json', file], { encoding: 'utf8' }),
      ) as { packets: { stream_index: number; pts_time?: string; duration_time?: string }[] },
  );
  const timed = probe.packets.filter((packet) => packet.pts_time !== undefined);
  if (timed.length === 0) throw new Error(`ffprobe found no packets in ${url}`);
  const start = Math.min(...timed.map((packet) => Number(packet.pts_time)));
  const ends = new Map<number, number>();
  for (const packet of timed) {
    const end = Number(packet.pts_time) + Number(packet.duration_time ?? 0);
    ends.set(packet.stream_index, Math.max(end, ends.get(packet.stream_index) ?? end));
  }
  return Math.min(...ends.values()) - start;
}

/** What `probe` reads from a segment downloaded from the server into a temporary file. */
async function withDownloadedSegment<T>(url: string, probe: (file: string) => T): Promise<T> {
  const file = join(tmpdir(), `estrad-segment-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, Buffer.from(await (await fetch(url)).arrayBuffer()));
  try {
    return probe(file);
  } finally {
    rmSync(file, { force: true });
  }
}
