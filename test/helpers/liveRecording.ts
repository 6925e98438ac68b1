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
  const probe = (await probeSegment(url, ['-select_streams', 'v', '-show_streams'])) as { streams: { width?: number; height?: number }[] };
  return { width: probe.streams[0]?.width ?? 0, height: probe.streams[0]?.height ?? 0 };
}

/** Codec, profile, size and B-frame depth of the video in a segment, as ffprobe reads them: what shows whether it was re-encoded. */
export async function probeSegmentCodec(url: string): Promise<{ codec: string; profile: string; width: number; height: number; bFrames: number }> {
  const probe = (await probeSegment(url, ['-select_streams', 'v', '-show_streams'])) as {
    streams: { codec_name: string; profile: string; width: number; height: number; has_b_frames: number }[];
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

/**
 * How many seconds of media a segment holds by its own timestamps: from its earliest packet to
 * the end of the stream that ends first (a segment cut short lacks the end of its picture or sound).
 */
export async function probeSegmentMediaSeconds(url: string): Promise<number> {
  const probe = (await probeSegment(url, ['-show_entries', 'packet=stream_index,pts_time,duration_time'])) as {
    packets: { stream_index: number; pts_time?: string; duration_time?: string }[];
  };
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

/** ffprobe's JSON about a downloaded segment. */
async function probeSegment(url: string, options: string[]): Promise<unknown> {
  const file = join(tmpdir(), `estrad-segment-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, Buffer.from(await (await fetch(url)).arrayBuffer()));
  try {
    return JSON.parse(execFileSync(TEST_FFPROBE, ['-v', 'error', ...options, '-of', 'json', file], { encoding: 'utf8' }));
  } finally {
    rmSync(file, { force: true });
  }
}
