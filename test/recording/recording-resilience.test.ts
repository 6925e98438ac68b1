import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup as cleanupDataChannels } from 'node-datachannel';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Recording } from '../../server/storage/recordings.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { PlainRtpSpeaker } from './plainRtpSpeaker.js';
import {
  ffmpegPidsUnder,
  readRecordings,
  readSegments,
  recorderFfmpegPids,
  recordingFolder,
  stagesOnAirUnrecorded,
  waitForSegments,
} from './recordingHelpers.js';

/** A stage whose recording failed is recorded again this soon once the cause is gone. */
const RESUME_MS = 10_000;

/** Waits for a recording of the stage, other than those given, that is running and has segments. */
async function waitForNewRecording(server: RunningServer, others: Recording[], timeoutMs: number): Promise<Recording> {
  const known = new Set(others.map((recording) => recording.id));
  let found: Recording | undefined;
  await waitFor(
    () => {
      found = readRecordings(server.dataDir).find(
        (recording) => !known.has(recording.id) && recording.status === 'recording' && readSegments(server.dataDir, recording.id).length > 0,
      );
      return found !== undefined;
    },
    timeoutMs,
    () => `no new recording within ${timeoutMs} ms: ${JSON.stringify(readRecordings(server.dataDir))}\n${server.logs().slice(-3000)}`,
  );
  return found!;
}

/** How often a share is started and stopped just as the recorder switches to it. */
const SHARE_STOPS = 3;

/** A recording can fail; the server and its live stages cannot. */
describe('the recorder never takes the server down', () => {
  const servers: RunningServer[] = [];
  const speakers: PlainRtpSpeaker[] = [];

  afterEach(async () => {
    for (const speaker of speakers.splice(0)) speaker.stop();
    for (const server of servers.splice(0)) await server.stop();
  });

  afterAll(() => cleanupDataChannels());

  it('survives a speaker stopping a screen share while the recorder starts recording it, and leaves no ffmpeg behind', async () => {
    const server = await startServer({ DEMO: '1' });
    servers.push(server);
    const recording = await waitForSegments(server, 2);
    const serverPid = server.process.pid!;

    for (let attempt = 0; attempt < SHARE_STOPS; attempt++) {
      const before = new Set(recorderFfmpegPids(serverPid));
      const share = await PlainRtpSpeaker.publish(server.url, server.dataDir, 'demo', 'screen');
      speakers.push(share);
      // The share's run: its ffmpeg is starting and the tap is not yet sending to it.
      await waitFor(
        () => recorderFfmpegPids(serverPid).some((pid) => !before.has(pid)),
        10_000,
        () => `the recorder did not switch to the share:\n${server.logs().slice(-3000)}`,
      );
      share.stop();
      const segmentsAfterStop = readSegments(server.dataDir, recording.id).length;
      // Back to the camera: the same recording goes on.
      await waitFor(
        () => readSegments(server.dataDir, recording.id).length > segmentsAfterStop + 1,
        20_000,
        () => `the recording did not go on after the share stopped (server exit ${server.process.exitCode}):\n${server.logs().slice(-4000)}`,
      );
      expect(server.process.exitCode, server.logs().slice(-4000)).toBeNull();
    }

    expect(server.logs()).not.toMatch(/ERR_SOCKET_DGRAM_NOT_RUNNING|uncaught|unhandled/i);
    expect(readRecordings(server.dataDir).map((found) => found.status)).toEqual(['recording']);
    expect(await server.stop()).toBe(0);
    expect(ffmpegPidsUnder(recordingFolder(server, recording))).toEqual([]);
  });
});

/** A failed recording is never the end of recording while the stage stays on air. */
describe('a stage on air is recorded again after its recording failed', () => {
  const servers: RunningServer[] = [];
  const mounts: string[] = [];

  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop();
    for (const mount of mounts.splice(0)) execFileSync('umount', [mount]);
  });

  it('starts a new recording after three recorder crashes failed one, and counts the stage unrecorded meanwhile', async () => {
    const server = await startServer({ DEMO: '1' });
    servers.push(server);
    const first = await waitForSegments(server, 1);
    const serverPid = server.process.pid!;
    const killed = new Set<number>();
    while (readRecordings(server.dataDir)[0]?.status === 'recording') {
      await waitFor(
        () => recorderFfmpegPids(serverPid).some((pid) => !killed.has(pid)),
        10_000,
        () => `no recorder ffmpeg to kill:\n${server.logs().slice(-3000)}`,
      );
      const [victim] = recorderFfmpegPids(serverPid).filter((pid) => !killed.has(pid));
      killed.add(victim!);
      process.kill(victim!, 'SIGKILL');
      await waitFor(() => readRecordings(server.dataDir)[0]?.status !== 'recording' || recorderFfmpegPids(serverPid).some((pid) => !killed.has(pid)), 10_000);
    }
    const [failed] = readRecordings(server.dataDir);
    expect(failed).toMatchObject({ id: first.id, status: 'failed' });
    expect(failed?.failureReason).toMatch(/3 recorder runs failed/);
    await waitFor(
      async () => (await stagesOnAirUnrecorded(server)) === 1,
      5_000,
      () => 'the stage was never counted as on air unrecorded',
    );

    const resumed = await waitForNewRecording(server, [first], RESUME_MS);
    expect(resumed.stageId).toBe('demo');
    expect(server.logs()).toMatch(/"level":50[^\n]*stage on air without a recording/);
    expect(await stagesOnAirUnrecorded(server)).toBe(0);
    expect(await server.stop()).toBe(0);
  });

  it('starts a new recording once a full disk has room again', async () => {
    // A small disk of its own, filled and freed as a real one would be.
    const recordingsDir = mkdtempSync(join(tmpdir(), 'estrad-small-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', recordingsDir]);
    mounts.push(recordingsDir);
    const server = await startServer({ DEMO: '1', RECORDINGS_DIR: recordingsDir });
    servers.push(server);
    const first = await waitForSegments(server, 1);

    const filler = join(recordingsDir, 'filler');
    writeFileSync(filler, Buffer.alloc(60 * 1024 * 1024));
    await waitFor(
      () => readRecordings(server.dataDir)[0]?.status === 'failed',
      15_000,
      () => `the full disk was not noticed:\n${server.logs().slice(-3000)}`,
    );
    expect(readRecordings(server.dataDir)[0]?.failureReason).toMatch(/full/);
    // While the disk stays full, no recording is started only to fail.
    await waitFor(
      async () => (await stagesOnAirUnrecorded(server)) === 1,
      5_000,
      () => 'the stage was never counted as on air unrecorded',
    );
    expect(readRecordings(server.dataDir)).toHaveLength(1);

    rmSync(filler);
    const resumed = await waitForNewRecording(server, [first], RESUME_MS);
    expect(readRecordings(server.dataDir).map((recording) => recording.id)).toEqual([first.id, resumed.id]);
    expect(await server.stop()).toBe(0);
  });
});
