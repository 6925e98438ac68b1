import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup as cleanupDataChannels } from 'node-datachannel';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { NodeViewer } from '../../scripts/bench/nodeViewer.js';
import { IngestKeys } from '../../server/auth/ingestKeys.js';
import { SEGMENT_SECONDS } from '../../server/recording/layout.js';
import type { RecordingSegment } from '../../server/storage/recordingSegments.js';
import { holdsFor, type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { connect, request } from '../helpers/signalling.js';
import {
  childPids,
  ffmpegPidsUnder,
  ffprobe,
  readPlaylist,
  readRecordings,
  readSegments,
  recorderFfmpegPids,
  recordingFolder,
  undecodableSegments,
  waitForSegments,
} from './recordingHelpers.js';

/** A killed recorder is replaced within this long (the issue: "within 2 s"). */
const REPLACEMENT_MS = 2_000;
/**
 * Its replacement records from this soon after the kill (the issue measured 4 s to the next
 * segment)...
 */
const MAX_KILL_TO_NEXT_SECONDS = 1;
/** ...and the recording misses at most the segment the killed one was writing (SEGMENT_SECONDS) besides. */
const MAX_HOLE_SECONDS = MAX_KILL_TO_NEXT_SECONDS + SEGMENT_SECONDS;

/** Seconds of the stage missing from the recording around a kill of its ffmpeg, and when the new segments came. */
function holeAroundKill(segments: RecordingSegment[], killedAtMs: number): { holeSeconds: number; killToNextSeconds: number } {
  const next = segments.findIndex((segment) => segment.discontinuity);
  const before = segments[next - 1]!;
  const after = segments[next]!;
  const endBefore = Date.parse(before.programDateTime) + before.durationSeconds * 1000;
  return { holeSeconds: (Date.parse(after.programDateTime) - endBefore) / 1000, killToNextSeconds: (Date.parse(after.programDateTime) - killedAtMs) / 1000 };
}

/** What goes wrong around the recorder: nothing recorded may be lost, the live stream goes on. */
describe('recorder faults', () => {
  const servers: RunningServer[] = [];
  const viewers: NodeViewer[] = [];

  afterEach(async () => {
    for (const viewer of viewers.splice(0)) viewer.close();
    for (const server of servers.splice(0)) await server.stop();
  });

  afterAll(() => cleanupDataChannels());

  async function start(env: Record<string, string>): Promise<RunningServer> {
    const server = await startServer(env);
    servers.push(server);
    return server;
  }

  it('continues the same recording with a new ffmpeg when the recorder is killed, within a second, missing no more than the segment being written besides', async () => {
    const server = await start({ DEMO: '1' });
    const recording = await waitForSegments(server, 3);
    const [victim] = recorderFfmpegPids(server.process.pid!);
    expect(victim, 'the recorder ffmpeg').toBeDefined();
    const before = readSegments(server.dataDir, recording.id).map((segment) => segment.file);

    const killedAtMs = Date.now();
    process.kill(victim!, 'SIGKILL');
    await waitFor(
      () => recorderFfmpegPids(server.process.pid!).some((pid) => pid !== victim),
      REPLACEMENT_MS,
      () => `no new recorder ffmpeg within ${REPLACEMENT_MS} ms:\n${server.logs().slice(-3000)}`,
    );
    await waitFor(
      () => readSegments(server.dataDir, recording.id).some((segment) => segment.discontinuity),
      10_000,
      () => `no segment after the kill:\n${server.logs().slice(-3000)}`,
    );
    const { holeSeconds, killToNextSeconds } = holeAroundKill(readSegments(server.dataDir, recording.id), killedAtMs);
    console.log(`recording hole around a killed recorder: ${holeSeconds.toFixed(2)} s; kill to the next segment's start: ${killToNextSeconds.toFixed(2)} s`);
    expect(holeSeconds).toBeLessThanOrEqual(MAX_HOLE_SECONDS);
    expect(killToNextSeconds).toBeLessThanOrEqual(MAX_KILL_TO_NEXT_SECONDS);

    const folder = recordingFolder(server, recording);
    const { playlist, text } = readPlaylist(folder);
    expect(playlist.playlistType).toBe('EVENT');
    expect(text).toContain('#EXT-X-DISCONTINUITY');
    const listed = playlist.segments.map((segment) => segment.uri);
    expect(listed.slice(0, before.length)).toEqual(before);
    expect(playlist.segments.find((segment) => segment.discontinuity)?.uri).toMatch(/^r002-/);
    expect(readRecordings(server.dataDir)).toHaveLength(1);

    expect(await server.stop()).toBe(0);
    const [finished] = readRecordings(server.dataDir);
    expect(finished?.status).toBe('complete');
    const closed = readPlaylist(folder).playlist;
    expect(closed.endlist).toBe(true);
    expect(closed.segments.map((segment) => segment.uri).slice(0, before.length)).toEqual(before);
    expect(undecodableSegments(folder, closed)).toEqual([]);
  });

  it('continues the same recording after the media workers die and the stage is rebuilt', async () => {
    const server = await start({ DEMO: '1' });
    const recording = await waitForSegments(server, 2);
    const before = readSegments(server.dataDir, recording.id).map((segment) => segment.file);
    const workers = childPids(server.process.pid!, (arg) => arg.includes('mediasoup-worker'));
    expect(workers.length).toBeGreaterThan(0);
    for (const pid of workers) process.kill(pid, 'SIGKILL');

    // The playlist is rewritten just after the segment reaches the database; wait for what players read.
    await waitFor(
      () => readPlaylist(recordingFolder(server, recording)).playlist.segments.some((segment) => segment.discontinuity),
      20_000,
      () => `the recording did not continue after the rebuild:\n${server.logs().slice(-4000)}`,
    );
    expect(readSegments(server.dataDir, recording.id).some((segment) => segment.discontinuity)).toBe(true);
    expect(readRecordings(server.dataDir)).toHaveLength(1);
    const { playlist } = readPlaylist(recordingFolder(server, recording));
    expect(playlist.segments.map((segment) => segment.uri).slice(0, before.length)).toEqual(before);
    expect(playlist.segments.find((segment) => segment.discontinuity)?.uri).toMatch(/^r00[2-9]-/);
  });

  it('closes a recording cut off by a server crash at the next start, as interrupted', async () => {
    // Not in `servers`: it is killed here, and a killed process has nothing left to stop.
    const crashed = await startServer({ DEMO: '1' });
    const recording = await waitForSegments(crashed, 2);
    const folder = recordingFolder(crashed, recording);
    const demoSources = childPids(crashed.process.pid!, (arg) => arg.endsWith('demo-source.js'));
    crashed.process.kill('SIGKILL');
    await new Promise((resolve) => crashed.process.once('exit', resolve));
    // The crashed server's demo source outlives it (trying to reconnect); it is ours to end.
    for (const pid of demoSources) process.kill(pid, 'SIGTERM');
    const recordedBeforeCrash = readSegments(crashed.dataDir, recording.id).map((segment) => segment.file);

    const restarted = await start({ DEMO: '0', DATA_DIR: crashed.dataDir, RECORDINGS_DIR: crashed.recordingsDir });
    const [recovered] = readRecordings(restarted.dataDir);
    expect(recovered).toMatchObject({ id: recording.id, status: 'interrupted' });
    expect(recovered?.failureReason).toBeTruthy();
    expect(recovered?.durationSeconds).toBeGreaterThan(0);
    // The crashed server's ffmpeg was asked to finish its segment; none is left running.
    expect(ffmpegPidsUnder(folder)).toEqual([]);

    const { playlist, text } = readPlaylist(folder);
    expect(playlist.playlistType).toBe('VOD');
    expect(text.trim().split('\n').at(-1)).toBe('#EXT-X-ENDLIST');
    const listed = playlist.segments.map((segment) => segment.uri);
    expect(listed.slice(0, recordedBeforeCrash.length)).toEqual(recordedBeforeCrash);
    expect(listed).toEqual(readSegments(restarted.dataDir, recording.id).map((segment) => segment.file));
    const probe = ffprobe(join(folder, 'index.m3u8'));
    expect(probe.streams.map((stream) => stream.codec_type).sort()).toEqual(['audio', 'video']);
    expect(Number(probe.format.duration)).toBeGreaterThan(2);
    expect(undecodableSegments(folder, playlist)).toEqual([]);
  });

  it('fails the recording with a reason when the recordings folder cannot be written, and the stage stays live', async () => {
    // A regular file where the stage's folder should be: nothing can be created below it, not
    // even as root (tests run as root, where permissions do not stop writes).
    const recordingsDir = mkdtempSync(join(tmpdir(), 'estrad-unwritable-'));
    writeFileSync(join(recordingsDir, 'demo'), '');
    const server = await start({ DEMO: '1', RECORDINGS_DIR: recordingsDir });

    await waitFor(
      () => readRecordings(server.dataDir).some((recording) => recording.status === 'failed'),
      20_000,
      () => `no failed recording:\n${JSON.stringify(readRecordings(server.dataDir))}\n${server.logs().slice(-3000)}`,
    );
    const [failed] = readRecordings(server.dataDir);
    expect(failed?.failureReason).toMatch(/not a directory|ENOTDIR/i);
    expect(server.logs()).toContain('recording failed');

    const viewer = new NodeViewer();
    viewers.push(viewer);
    await viewer.connect(server.url, 'demo');
    await waitFor(
      () => {
        const stats = viewer.stats();
        return stats.connected && stats.video.packets > 50 && stats.audio.packets > 50;
      },
      15_000,
      () => `the viewer did not receive the demo: ${JSON.stringify(viewer.stats())}`,
    );
    // No restart loop: the stage is not recorded again while it stays on air, not even when what
    // is on air changes (a second camera comes on; the recorder acts on such changes within 300 ms).
    const publisher = await connect(server.url, { ingest: IngestKeys.fromDataDir(server.dataDir).keyFor('demo') });
    try {
      expect(await request(publisher, 'ingest:open', { stageId: 'demo', tracks: [{ source: 'camera', codec: 'VP8' }] })).toMatchObject({ ok: true });
      await holdsFor(
        () => readRecordings(server.dataDir).length === 1,
        2_000,
        () => `the stage was recorded again after the failure: ${JSON.stringify(readRecordings(server.dataDir))}`,
      );
    } finally {
      publisher.disconnect();
    }
  });
});
