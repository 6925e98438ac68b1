import { cleanup as cleanupDataChannels } from 'node-datachannel';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { PlainRtpSpeaker } from './plainRtpSpeaker.js';
import { ffmpegPidsUnder, readRecordings, readSegments, recorderFfmpegPids, recordingFolder, waitForSegments } from './recordingHelpers.js';

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
      const share = await PlainRtpSpeaker.publish(server.url, 'demo', 'screen');
      speakers.push(share);
      // The share's run: its ffmpeg is starting and the tap is not yet sending to it.
      await waitFor(() => recorderFfmpegPids(serverPid).some((pid) => !before.has(pid)), 10_000, () => `the recorder did not switch to the share:\n${server.logs().slice(-3000)}`);
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
